// Topic names, filters and MQTT usernames of the IoT Hub and DPS device APIs (docs/iothub.md).
// Builders take ids already checked by ids.ts; request ids and other values are URL-encoded.
// Parsers take wire input and return null when it does not match; they never throw.
// Every reply and request the hub sends has the shape `{prefix}{segment}/?{bag}`: one parser
// (split) reads them all, and each filter is its prefix plus `#`. The device's features use the
// parse* functions below, so what is tested here is what ships.
// Topics are cut with split() and slice() only after an ASCII prefix: on Espruino a topic with
// text beyond ASCII is a UTF-8 string, whose slice() counts bytes while indexOf() counts characters
// (and its regular expressions lack {m,n} and (?:), and end a literal at a `/` in a class).
// The prefixes are written out where the device uses them: a string in code stays in flash on a
// board, where a module constant would be a variable holding a copy in RAM. The constants below
// are for DPS and the tests.
import { decodePropertyBag, encodePropertyBag, type PropertyBag, uriEncode } from './propbag.js';

export const TWIN_RES = '$iothub/twin/res/';
// The desired-patch topic has an empty segment: `.../desired/?$version=n`.
export const DESIRED = '$iothub/twin/PATCH/properties/desired';
export const METHODS = '$iothub/methods/';
export const DPS_RES = '$dps/registrations/res/';
const DPS = '$dps/registrations/';

export const TWIN_RES_FILTER = '$iothub/twin/res/#';
export const DESIRED_FILTER = '$iothub/twin/PATCH/properties/desired/#';
export const METHODS_FILTER = '$iothub/methods/POST/#';
export const DPS_RES_FILTER = '$dps/registrations/res/#';

/** `{host}/{deviceId}[/{moduleId}]/?api-version=2021-04-12[&model-id=...]` */
export function iothubUsername(host: string, deviceId: string, moduleId?: string, modelId?: string): string {
  return host + '/' + clientId(deviceId, moduleId) + '/?api-version=2021-04-12' + (modelId ? '&model-id=' + uriEncode(modelId) : '');
}

export function clientId(deviceId: string, moduleId?: string): string {
  return deviceId + (moduleId ? '/' + moduleId : '');
}

export function dpsUsername(idScope: string, registrationId: string): string {
  return idScope + '/registrations/' + registrationId + '/api-version=2019-03-31';
}

/** `devices/{id}[/modules/{mid}]`: where telemetry goes, and the device's SAS resource. */
export function devicePath(deviceId: string, moduleId?: string): string {
  return 'devices/' + deviceId + (moduleId ? '/modules/' + moduleId : '');
}

/** `devices/{id}[/modules/{mid}]/messages/events/{bag}` */
export function telemetryTopic(deviceId: string, moduleId?: string, props?: Record<string, string | null | undefined>): string {
  return devicePath(deviceId, moduleId) + '/messages/events/' + encodePropertyBag(props);
}

export function c2dFilter(deviceId: string): string {
  return devicePath(deviceId) + '/messages/devicebound/#';
}

/**
 * The property bag of a cloud-to-device message for `deviceId`, or null. A leading `?` is
 * tolerated: Microsoft's docs show one although the hub does not send it.
 */
export function parseC2d(topic: string, deviceId: string): PropertyBag | null {
  const p = devicePath(deviceId) + '/messages/devicebound/';
  // '' + topic: a non-string never starts with the prefix, so it is never sliced.
  const b = ('' + topic).indexOf(p) ? null : topic.slice(p.length);
  // An ASCII topic: on Espruino nothing cut from it is marked UTF-8 (propbag.ts).
  return b == null ? null : decodePropertyBag(b.charAt(0) == '?' ? b.slice(1) : b, !/[^\0-\x7f]/.test(topic));
}

export function rid(r: string | number): string {
  return '/?$rid=' + uriEncode('' + r);
}

/** A twin GET, or with `patch` a reported-properties PATCH. */
export function twinTopic(r: string | number, patch?: any): string {
  return '$iothub/twin/' + (patch ? 'PATCH/properties/reported' : 'GET') + rid(r);
}

export function twinGetTopic(r: string | number): string {
  return twinTopic(r);
}

export function twinPatchTopic(r: string | number): string {
  return twinTopic(r, 1);
}

export function methodResTopic(status: number, r: string | number): string {
  return '$iothub/methods/res/' + status + rid(r);
}

export function dpsRegisterTopic(r: string | number): string {
  return DPS + 'PUT/iotdps-register' + rid(r);
}

export function dpsPollTopic(r: string | number, operationId: string): string {
  return DPS + 'GET/iotdps-get-operationstatus' + rid(r) + '&operationId=' + uriEncode(operationId);
}

/** `{prefix}{segment}/?{bag}`, the segment free of `/` -> [segment, bag], or a falsy value. */
export function split(t: string, prefix: string): any {
  // '' + t: hooks also get the numbers 0 and 1, which never start with a prefix.
  const a = !('' + t).indexOf(prefix) && t.slice(prefix.length).split('/?'), s: any = a && a[0];
  // A `/` before the first `/?` means the segment is not one level.
  const b = a && a.length > 1 && s.indexOf('/') < 0 && decodePropertyBag(a.slice(1).join('/?'), !/[^\0-\x7f]/.test(t));
  return b && [s, b];
}

/** A reply's three-digit status, or 0. */
export function status(s: string): number {
  return /^[1-9]\d\d$/.test(s) ? +s : 0;
}

/** A whole number of at most 15 digits, or -1. */
export function int(s: string | null | undefined): number {
  return /^\d+$/.test(s!) && s!.length < 16 ? +s! : -1;
}

/** A twin or DPS reply; `version` comes with twin replies, `retryAfter` (seconds) with DPS ones. */
export interface Response {
  status: number;
  rid: string;
  version?: number;
  retryAfter?: number;
}

/** `{prefix}{status}/?$rid=..[&{k}=n]`, with the whole number n under `k` put in field `f`. */
function res(t: string, prefix: string, k: string, f: 'version' | 'retryAfter'): Response | null {
  const x: any = split(t, prefix), b = x && x[1], o: any = b && status(x[0]) && b.$rid && { status: +x[0], rid: b.$rid };
  if (o && b[k] !== undefined) o[f] = int(b[k]);
  return o && !(o[f] < 0) ? o : null;
}

/** `$iothub/twin/res/{status}/?$rid={rid}[&$version={v}]` */
export function parseTwinRes(t: string): Response | null {
  return res(t, '$iothub/twin/res/', '$version', 'version');
}

/** The `$version` of a desired-properties patch topic, or null. */
export function parseDesired(t: string): number | null {
  const x = split(t, '$iothub/twin/PATCH/properties/desired'), n = x && !x[0] ? int(x[1].$version) : -1;
  return n < 0 ? null : n;
}

/** `$iothub/methods/POST/{name}/?$rid={rid}` -> {name, rid} */
export function parseMethod(t: string): { name: string; rid: string } | null {
  const x = split(t, '$iothub/methods/POST/'), r = x && x[1].$rid;
  return x && x[0] && r ? { name: x[0], rid: r } : null;
}

/** `$dps/registrations/res/{status}/?$rid={rid}[&retry-after={s}]` */
export function parseDpsRes(t: string): Response | null {
  return res(t, DPS_RES, 'retry-after', 'retryAfter');
}
