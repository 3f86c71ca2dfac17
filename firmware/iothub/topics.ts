// Topic names, filters and MQTT usernames of the IoT Hub and DPS device APIs (IOTHUB.md).
// Builders take ids already checked by ids.ts; request ids and other values are URL-encoded.
// Parsers take wire input and return null when it does not match; they never throw.
import { decodePropertyBag, encodePropertyBag, type PropertyBag } from './propbag.js';

const TWIN = '$iothub/twin/';
const METHODS = '$iothub/methods/';
const DPS = '$dps/registrations/';

export const TWIN_RES_FILTER = TWIN + 'res/#';
export const DESIRED_FILTER = TWIN + 'PATCH/properties/desired/#';
export const METHODS_FILTER = METHODS + 'POST/#';
export const DPS_RES_FILTER = DPS + 'res/#';

/** `{host}/{deviceId}[/{moduleId}]/?api-version=2021-04-12[&model-id=...]` */
export function iothubUsername(host: string, deviceId: string, moduleId?: string, modelId?: string): string {
  return host + '/' + clientId(deviceId, moduleId) + '/?api-version=2021-04-12' + (modelId ? '&model-id=' + encodeURIComponent(modelId) : '');
}

export function clientId(deviceId: string, moduleId?: string): string {
  return deviceId + (moduleId ? '/' + moduleId : '');
}

export function dpsUsername(idScope: string, registrationId: string): string {
  return idScope + '/registrations/' + registrationId + '/api-version=2019-03-31';
}

/** `devices/{id}[/modules/{mid}]/messages/events/{bag}` */
export function telemetryTopic(deviceId: string, moduleId?: string, props?: Record<string, string | null | undefined>): string {
  return 'devices/' + clientId(deviceId, moduleId && 'modules/' + moduleId) + '/messages/events/' + (props ? encodePropertyBag(props) : '');
}

export function c2dFilter(deviceId: string): string {
  return c2dPrefix(deviceId) + '#';
}

function c2dPrefix(d: string): string {
  return 'devices/' + d + '/messages/devicebound/';
}

/**
 * The property bag of a cloud-to-device message for `deviceId`, or null. A leading `?` is
 * tolerated: Microsoft's docs show one although the hub does not send it.
 */
export function parseC2d(topic: string, deviceId: string): PropertyBag | null {
  const p = c2dPrefix(deviceId);
  if (typeof topic != 'string' || topic.indexOf(p)) return null;
  const b = topic.slice(p.length);
  return decodePropertyBag(b.charAt(0) == '?' ? b.slice(1) : b);
}

function rid(r: string | number): string {
  return '/?$rid=' + encodeURIComponent('' + r);
}

export function twinGetTopic(r: string | number): string {
  return TWIN + 'GET' + rid(r);
}

export function twinPatchTopic(r: string | number): string {
  return TWIN + 'PATCH/properties/reported' + rid(r);
}

export function methodResTopic(status: number, r: string | number): string {
  return METHODS + 'res/' + status + rid(r);
}

export function dpsRegisterTopic(r: string | number): string {
  return DPS + 'PUT/iotdps-register' + rid(r);
}

export function dpsPollTopic(r: string | number, operationId: string): string {
  return DPS + 'GET/iotdps-get-operationstatus' + rid(r) + '&operationId=' + encodeURIComponent(operationId);
}

/** `{prefix}{segment}/?{bag}` -> [segment, bag], or null. */
function split(t: string, prefix: string): [string, PropertyBag] | null {
  if (typeof t != 'string' || t.indexOf(prefix) != 0) return null;
  const q = t.indexOf('/?', prefix.length);
  if (q < 0) return null;
  const s = t.slice(prefix.length, q);
  const b = decodePropertyBag(t.slice(q + 2));
  return b && s.indexOf('/') < 0 ? [s, b] : null;
}

function int(s: string | null | undefined): number {
  return s && /^\d{1,15}$/.test(s) ? +s : -1;
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
  const x = split(t, prefix);
  const status = x && /^\d{3}$/.test(x[0]) ? +x[0] : 0;
  const r = x && x[1].$rid;
  if (!x || !status || !r) return null;
  const o: Response = { status, rid: r };
  const v = x[1][k];
  if (v !== undefined) {
    const n = int(v);
    if (n < 0) return null;
    o[f] = n;
  }
  return o;
}

/** `$iothub/twin/res/{status}/?$rid={rid}[&$version={v}]` */
export function parseTwinRes(t: string): Response | null {
  return res(t, TWIN + 'res/', '$version', 'version');
}

/** The `$version` of a desired-properties patch topic, or null. */
export function parseDesired(t: string): number | null {
  const x = split(t, TWIN + 'PATCH/properties/');
  const n = x && x[0] == 'desired' ? int(x[1].$version) : -1;
  return n < 0 ? null : n;
}

/** `$iothub/methods/POST/{name}/?$rid={rid}` -> {name, rid} */
export function parseMethod(t: string): { name: string; rid: string } | null {
  const x = split(t, METHODS + 'POST/');
  const r = x && x[1].$rid;
  return x && x[0] && r ? { name: x[0], rid: r } : null;
}

/** `$dps/registrations/res/{status}/?$rid={rid}[&retry-after={s}]` */
export function parseDpsRes(t: string): Response | null {
  return res(t, DPS + 'res/', 'retry-after', 'retryAfter');
}
