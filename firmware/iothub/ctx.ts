// What the device shares with its feature modules (telemetry, c2d, twin, methods). Terser shortens
// local names but never property names, so the fields are one or two letters.
import type { Hal } from '../../hal/types.js';
import type { Client } from '../mqtt/client.js';
import { utf8Decode } from '../mqtt/codec/utf8.js';
import type { Limits } from '../mqtt/limits.js';

export interface Ctx {
  c: Client;
  h: Hal;
  l: Limits;
  /** Publish options of everything the device sends: {qos}. */
  o: { qos: 0 | 1 };
  d: string;
  md?: string;
  /** Subscribe to a filter once; it is renewed if the hub loses the session. */
  s(filter: string): void;
  /** Reports a runtime error through the device's error event; ignores a falsy one. */
  e(err?: string): void;
}

/**
 * A feature's hook: called with every incoming (topic, payload), with 1 after every accepted
 * CONNACK and with 0 at end(). Topic parsers return null for the numbers, so a feature that
 * only reads messages needs no test for them.
 */
export type Hook = (t: string | 0 | 1, p?: Uint8Array) => void;

/** A payload as JSON, or undefined (null for invalid UTF-8). */
export function json(p: Uint8Array): any {
  try {
    return JSON.parse(utf8Decode(p, 0, p.length)!);
  } catch (e) {}
}
