// How a device's own topics map to IoT Hub's and back. Two profiles:
//  - default: short topics for small boards. The device publishes telemetry to `t` (each further
//    level `k=v` becomes a message property: `t/unit=C/room=2`), a reported-properties patch to
//    `r` and a method answer to `a/<rid>/<status>`; it subscribes to `c` (cloud-to-device), `d`
//    (desired-property patches) and `m/#` (method calls arrive on `m/<method>/<rid>`). The short
//    names are templates a gateway can change (DeviceTopics). A publish to any other topic is
//    sent as telemetry marked `Unmatched=true` with the topic in `Subject`, as the Azure protocol
//    gateway marks it, never dropped.
//  - transparent: the device speaks IoT Hub's own topics (a full tinyiot IoT Hub device); they
//    pass unchanged, with IoT Hub's rules on what a device may use (build/hub/acl.ts).
// Every upstream topic is built from the device id the gateway authenticated, so no topic a
// device sends can name another device.
import { c2dFilter, DESIRED, DESIRED_FILTER, METHODS_FILTER, methodResTopic, parseMethod, telemetryTopic } from '../../firmware/iothub/topics.js';
import { classifyPublish, subscribeAllowed, topicMatches } from '../hub/acl.js';

export type ProfileName = 'default' | 'transparent';
export const PROFILES: ProfileName[] = ['default', 'transparent'];

/** The default profile's short topic names. */
export interface DeviceTopics {
  telemetry: string;
  reported: string;
  methodAnswer: string;
  c2d: string;
  desired: string;
  methodCall: string;
}

export const DEFAULT_TOPICS: DeviceTopics = { telemetry: 't', reported: 'r', methodAnswer: 'a', c2d: 'c', desired: 'd', methodCall: 'm' };

/** What a device's PUBLISH becomes upstream: telemetry goes through the store, a request straight up. */
export type Outbound = { kind: 'telemetry'; topic: string } | { kind: 'request'; topic: string };

export interface Profile {
  readonly name: ProfileName;
  /** The upstream message for a device's PUBLISH, or null when the device may not publish there. */
  fromDevice(deviceId: string, topic: string): Outbound | null;
  /** The IoT Hub filters a device's subscription needs; null when it matches nothing the device may receive. */
  upstreamFilters(deviceId: string, filter: string): string[] | null;
  /** The device's topic for a message from IoT Hub, or null when the device has no topic for it. */
  toDevice(deviceId: string, topic: string): string | null;
}

/** Throws naming the first template that is not a single plain topic level. */
export function deviceTopics(overrides: Record<string, unknown> = {}): DeviceTopics {
  const t: DeviceTopics = { ...DEFAULT_TOPICS };
  for (const [k, v] of Object.entries(overrides)) {
    if (!Object.hasOwn(DEFAULT_TOPICS, k)) throw new Error(`unknown topic template '${k}' (known: ${Object.keys(DEFAULT_TOPICS).join(', ')})`);
    if (typeof v !== 'string' || !/^[A-Za-z0-9_.-]{1,32}$/.test(v)) throw new Error(`topic template '${k}' must be one topic level of letters, digits, '_', '.' or '-', not ${JSON.stringify(v)}`);
    t[k as keyof DeviceTopics] = v;
  }
  const names = Object.values(t);
  if (new Set(names).size !== names.length) throw new Error(`topic templates must all differ: ${names.join(', ')}`);
  return t;
}

export function defaultProfile(topics: DeviceTopics = DEFAULT_TOPICS): Profile {
  let nextRid = 0;
  const unmatched = (deviceId: string, topic: string): Outbound => ({ kind: 'telemetry', topic: telemetryTopic(deviceId, undefined, { Unmatched: 'true', Subject: topic }) });
  return {
    name: 'default',
    fromDevice(deviceId, topic) {
      const [head, ...levels] = topic.split('/');
      if (head === topics.telemetry) {
        // Names come from the wire: the bag inherits nothing, whatever they are.
        const props: Record<string, string> = Object.create(null);
        for (const level of levels) {
          const eq = level.indexOf('=');
          // encodePropertyBag refuses the key __proto__: such a level is left in the topic, marked.
          if (eq < 1 || level.slice(0, eq) === '__proto__') return unmatched(deviceId, topic);
          props[level.slice(0, eq)] = level.slice(eq + 1);
        }
        return { kind: 'telemetry', topic: telemetryTopic(deviceId, undefined, props) };
      }
      if (head === topics.reported && !levels.length) return { kind: 'request', topic: `$iothub/twin/PATCH/properties/reported/?$rid=gw${++nextRid}` };
      if (head === topics.methodAnswer && levels.length === 2 && /^\d{3}$/.test(levels[1]!) && levels[0]) {
        return { kind: 'request', topic: methodResTopic(+levels[1]!, levels[0]) };
      }
      return unmatched(deviceId, topic);
    },
    upstreamFilters(deviceId, filter) {
      const wanted: string[] = [];
      if (topicMatches(filter, topics.c2d)) wanted.push(c2dFilter(deviceId));
      if (topicMatches(filter, topics.desired)) wanted.push(DESIRED_FILTER);
      if (topicMatches(filter, `${topics.methodCall}/name/1`)) wanted.push(METHODS_FILTER);
      return wanted.length ? wanted : null;
    },
    toDevice(deviceId, topic) {
      if (topic.startsWith(`devices/${deviceId}/messages/devicebound/`)) return topics.c2d;
      if (topic.startsWith(DESIRED + '/')) return topics.desired;
      const call = parseMethod(topic);
      // A method name or request id that would not make one topic level each has no device topic.
      if (call && /^[^/+#]+$/.test(call.name) && /^[^/+#]+$/.test(call.rid)) return `${topics.methodCall}/${call.name}/${call.rid}`;
      return null;
    },
  };
}

export const transparentProfile: Profile = {
  name: 'transparent',
  fromDevice(deviceId, topic) {
    const r = classifyPublish(deviceId, topic);
    if (!r) return null;
    return { kind: r.kind === 'telemetry' ? 'telemetry' : 'request', topic };
  },
  upstreamFilters: (deviceId, filter) => (subscribeAllowed(deviceId, filter) ? [filter] : null),
  toDevice: (_deviceId, topic) => topic,
};

export function profile(name: ProfileName, topics?: DeviceTopics): Profile {
  return name === 'transparent' ? transparentProfile : defaultProfile(topics);
}
