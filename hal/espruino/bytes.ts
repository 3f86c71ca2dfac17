// Espruino's sockets, UARTs and Storage carry byte strings (one char per byte, codes 0-255); the
// HAL contract carries Uint8Array. These two convert at that edge and nowhere else. E's native
// converters are used when present: a JS loop over a 5 KB payload takes the interpreter a long time.
import { jsBufferOf, jsByteString } from '../../firmware/mqtt/codec/utf8.js';
import type { EspruinoE } from './env.js';

export function toBytes(s: string, E?: EspruinoE): Uint8Array {
  return E && E.toUint8Array != null ? E.toUint8Array(s) : jsBufferOf(s);
}

export function toByteString(b: Uint8Array, E?: EspruinoE): string {
  // E.toString needs one flat block of RAM and returns undefined when fragmentation denies it.
  // toUint8Array is the probe for a real E: every object inherits a toString.
  return (E && E.toUint8Array != null && E.toString(b)) || jsByteString(b);
}
