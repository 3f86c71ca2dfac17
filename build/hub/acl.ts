// What a connected device may publish and subscribe to. IoT Hub routes nothing from one device to
// another: every topic a device may use is its own telemetry / cloud-to-device topic or one of
// the `$iothub/` request-response topics, which the hub answers on that connection alone.
import { decodePropertyBag, type PropertyBag } from '../../firmware/iothub/propbag.js';

export type Inbound =
  | { kind: 'telemetry'; props: PropertyBag }
  | { kind: 'twin-get'; rid: string }
  | { kind: 'twin-patch'; rid: string }
  | { kind: 'method-res'; status: number; rid: string };

/** The `$rid` of `{prefix}?{bag}`, or null. */
function rid(topic: string, prefix: string): string | null {
  if (!topic.startsWith(prefix + '?')) return null;
  const bag = decodePropertyBag(topic.slice(prefix.length + 1));
  return (bag && bag.$rid) || null;
}

/** What a PUBLISH from `deviceId` asks for, or null when the device may not publish there. */
export function classifyPublish(deviceId: string, topic: string): Inbound | null {
  const events = `devices/${deviceId}/messages/events/`;
  if (topic.startsWith(events)) {
    const props = decodePropertyBag(topic.slice(events.length));
    return props && { kind: 'telemetry', props };
  }
  let r = rid(topic, '$iothub/twin/GET/');
  if (r) return { kind: 'twin-get', rid: r };
  r = rid(topic, '$iothub/twin/PATCH/properties/reported/');
  if (r) return { kind: 'twin-patch', rid: r };
  const m = /^\$iothub\/methods\/res\/(\d{3})\//.exec(topic);
  r = m && rid(topic, m[0]);
  return m && r ? { kind: 'method-res', status: +m[1]!, rid: r } : null;
}

/** Filters a device may subscribe to: its own C2D topic and the hub's reply topics. */
export function subscribeAllowed(deviceId: string, filter: string): boolean {
  const prefixes = [`devices/${deviceId}/messages/devicebound/`, '$iothub/twin/res/', '$iothub/twin/PATCH/properties/desired/', '$iothub/methods/POST/'];
  return prefixes.some((p) => filter.startsWith(p) && filter.length > p.length);
}

/** MQTT 3.1.1 topic filter matching (+ one level, # the rest, including the parent level). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/**
 * Telemetry properties whose names the hub owns: IoT Hub stamps `iothub-*` (the connection's
 * device id, the will marker `iothub-MessageType`, ...), `$.cdid` / `$.cmid` and `mqtt-retain`
 * itself, so a device must not be able to claim another identity or fake a will with them.
 */
export function isHubOwnedProperty(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('iothub-') || n === '$.cdid' || n === '$.cmid' || n === 'mqtt-retain';
}

/**
 * The device's telemetry properties without the hub's own names (and the names left out), then
 * the hub's marks as IoT Hub sets them: `mqtt-retain` for a retained PUBLISH (IoT Hub stores no
 * retained messages), `iothub-MessageType: Will` for a will.
 */
export function deviceProperties(props: PropertyBag, marks: { retain?: boolean; will?: boolean } = {}): { props: PropertyBag; dropped: string[] } {
  // Names come from the wire: the bag inherits nothing, whatever they are.
  const kept: PropertyBag = Object.create(null);
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(props)) {
    if (isHubOwnedProperty(k)) dropped.push(k);
    else kept[k] = v;
  }
  if (marks.retain) kept['mqtt-retain'] = 'true';
  if (marks.will) kept['iothub-MessageType'] = 'Will';
  return { props: kept, dropped };
}
