// HMAC-SHA256 on Espruino's native SHA-256 (require("crypto").SHA256 returns an ArrayBuffer).
// Espruino has no HMAC, so the RFC 2104 wrapper runs in JS. Boards without SHA256 in their build
// use firmware/crypto's jsCrypto() instead; the board file's "crypto" field says which.
import { hmac } from '../../firmware/crypto/hmac.js';
import type { Crypto } from '../types.js';
import type { EspruinoEnv } from './env.js';

export function nativeCrypto(env: EspruinoEnv): Crypto {
  const C = env.require('crypto');
  const h = (m: Uint8Array) => new Uint8Array(C.SHA256(m));
  return { hmacSha256: (k, m) => hmac(h, k, m) };
}
