// What the device shares with its feature modules (telemetry, c2d, twin, methods). Features take
// the device's pieces as parameters rather than as fields of a context object: terser shortens
// parameter names but never property names.
import { utf8Decode } from '../mqtt/codec/utf8.js';

/**
 * A feature's hook: called with every incoming (topic, payload), with 1 after every accepted
 * CONNACK and with 0 at end(). Topic parsers return null for the numbers, so a feature that
 * only reads messages needs no test for them.
 */
export type Hook = (t: string | 0 | 1, p?: Uint8Array) => void;

/** Subscribes to a filter once; the device renews it if the hub loses the session. */
export type Sub = (filter: string) => void;

/** Reports a runtime error through the device's error event; ignores a falsy one. */
export type Warn = (err?: string) => void;

/** A payload as JSON, or undefined (null for invalid UTF-8). */
export function json(p: Uint8Array): any {
  try {
    return JSON.parse(utf8Decode(p, 0, p.length)!);
  } catch (e) {}
}
