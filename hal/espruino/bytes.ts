// Espruino's sockets, UARTs and Storage carry byte strings (one char per byte, codes 0-255); the
// HAL contract carries Uint8Array. These two convert at that edge and nowhere else. E's native
// converters are used when present: a JS loop over a 5 KB payload takes the interpreter a long time.
import type { EspruinoE } from './env.js';

export function toBytes(s: string, E?: EspruinoE): Uint8Array {
  if (E && E.toUint8Array != null) return E.toUint8Array(s);
  const u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

export function toByteString(b: Uint8Array, E?: EspruinoE): string {
  // E.toString needs one flat block of RAM and returns undefined when fragmentation denies it.
  // toUint8Array is the probe for a real E: every object inherits a toString.
  let s = E && E.toUint8Array != null ? E.toString(b) : undefined;
  if (s == null) {
    s = '';
    // Espruino's Function.apply throws beyond 256 arguments (64 in builds before 2021; see
    // docs/espruino.md), and mujs overflows its stack at 256: 64 bytes at a time. Espruino's
    // subarray does not stop at the array's end.
    for (let i = 0; i < b.length; i += 64) s += String.fromCharCode.apply(null, b.subarray(i, Math.min(i + 64, b.length)) as unknown as number[]);
  }
  return s;
}
