// What the device's parts share: the device's state and methods, its event reporting, and its
// subscriptions.
//
// Shaped for Espruino, where every function object, parameter, scope and property costs memory
// blocks, and a closure made per device or per call costs them again each time (docs/espruino.md):
// a device is one object holding its state, and every method, public or internal, lives once on
// a prototype shared by all devices (device.ts). The parts (auth.ts, twin.ts, methods.ts,
// c2d.ts, telemetry.ts) export those methods; they reach the device as `this`, which costs no
// parameter. Readers of incoming messages are plain functions called from one place, which the
// minifier puts inline there, so they cost nothing between messages. Creating a device makes four
// bound listeners and no closures. Internal state and
// methods are named with a trailing `_`: never part of the public API, they are shortened on the
// board by the build (build/bundle.ts).
import type { Hal } from '../../hal/types.js';
import type { Client } from '../mqtt/client.js';
import { utf8Decode } from '../mqtt/codec/utf8.js';
import type { Device } from './device.js';
import { c2dFilter } from './topics.js';

/** A twin request waiting for its reply: called with the reply's status and $version, or with nothing at end(). */
export type PendingTwin = (status?: number, version?: number, payload?: Uint8Array) => void;

export type Callback = (err: string | undefined, value?: any) => void;

export interface DeviceState extends Device {
  hal_: Hal;
  client_: Client;
  deviceId_: string;
  moduleId_?: string;
  /** The publish options of everything the device sends ({qos}). */
  publishOptions_: { qos: 0 | 1 };
  /** The app's connect, close and error handlers by event name ('refused' goes to the client). */
  handlers_: Record<string, (arg?: any) => void>;
  /** Features whose filters are subscribed (SUB_* bits). */
  features_: number;
  /** Accepted CONNACKs so far. */
  connects_: number;
  // SAS renewal (auth.ts); sasKey_ is absent with X.509.
  sasResource_: string;
  sasKey_?: string;
  sasPolicy_?: string;
  tokenTtl_: number;
  renewBefore_: number;
  /** The renewal timer (pending or now firing), or 0: never an older id, which a board may reuse. */
  renewTimer_: number;
  /** Epoch seconds at which the current token expires, 0 while none is in use. */
  tokenExpiry_: number;
  clockWarned_?: number;
  // Twin (twin.ts): ackTimeout and backoffMin of the limits.
  answerTimeout_: number;
  retryDelay_: number;
  twinPending_?: Record<number, PendingTwin>;
  lastRid_: number;
  desiredVersion_: number;
  desiredHandler_?: (patch: any, version: number, full?: boolean) => void;
  // Direct methods (methods.ts) and cloud-to-device messages (c2d.ts).
  methodHandlers_?: Record<string, (payload: any, respond: (status: number, body?: any) => void) => void>;
  c2dHandler_?: (body: Uint8Array, props: Record<string, string | null>) => void;

  // Internal methods, on the shared prototype.
  emit_(event: string, arg?: any): void;
  subscribe_(features: number): void;
  renewToken_(): void;
  token_(): string;
  stopRenewal_(): void;
  twinRequest_(body: string, cb: Callback): void;
  fetchDesired_(): void;
}

/** Subscription bits: one per feature, each standing for its filters. */
export const SUB_C2D = 1;
export const SUB_METHODS = 2;
export const SUB_TWIN = 4;

/**
 * Calls the app's handler for `event`. An 'error' without a message is no error (callbacks of
 * requests that succeeded pass through here).
 */
export function emit(this: Pick<DeviceState, 'handlers_'>, event: string, arg?: any): void {
  const handler = this.handlers_[event];
  if (handler && (arg || event != 'error')) handler(arg);
}

/**
 * Subscribes to the filters of `features` not subscribed yet, in one SUBSCRIBE (queued while
 * offline). A refusal reaches the error event naming the filters. The filters are written out
 * here, not taken from topics.ts's constants: a string used once stays in the code, which a board
 * reads from flash, where a shared constant would be a variable holding a copy in RAM.
 */
export function subscribe(this: DeviceState, features: number): void {
  const dev = this, fresh = features & ~dev.features_, filters: string[] = [];
  dev.features_ |= features;
  if (fresh & SUB_C2D) filters.push(c2dFilter(dev.deviceId_));
  if (fresh & SUB_METHODS) filters.push('$iothub/methods/POST/#');
  if (fresh & SUB_TWIN) filters.push('$iothub/twin/res/#', '$iothub/twin/PATCH/properties/desired/#');
  if (fresh) dev.client_.subscribe(filters.map((topic) => ({ topic, qos: 1 as const })), (err) => dev.emit_('error', err && err + ': ' + filters.join(', ')));
}

/** A payload as JSON, or undefined (null for invalid UTF-8). */
export function json(p: Uint8Array): any {
  try {
    return JSON.parse(utf8Decode(p, 0, p.length)!);
  } catch (e) {}
}
