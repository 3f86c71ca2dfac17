// Espruino's "crypto" module on builds with SHA256 (Pico, Espruino WiFi, ESP32): SHA256(message)
// returns a 32-byte ArrayBuffer; the message may be a string (one byte per char) or bytes.
// Espruino has no HMAC.
import { createHash } from 'node:crypto';

function bytes(m: unknown): Buffer {
  if (typeof m === 'string') return Buffer.from(m, 'latin1');
  if (ArrayBuffer.isView(m)) return Buffer.from(m.buffer, m.byteOffset, m.byteLength);
  if (m instanceof ArrayBuffer) return Buffer.from(m);
  if (Array.isArray(m)) return Buffer.from(m.map((x) => Number(x) & 255));
  throw new TypeError('crypto.SHA256: message must be a string, an array or a typed array');
}

export function fakeCrypto() {
  return {
    SHA256(m: unknown): ArrayBuffer {
      const d = createHash('sha256').update(bytes(m)).digest();
      return d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength);
    },
  };
}
