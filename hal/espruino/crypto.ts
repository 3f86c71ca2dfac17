// HMAC-SHA256 on Espruino's native SHA-256 (require("crypto").SHA256 returns an ArrayBuffer).
// Espruino has no HMAC, so the RFC 2104 wrapper runs in JS. Boards without SHA256 in their build
// use firmware/crypto's jsCrypto() instead; the board file's "crypto" field says which. The method
// is made once and shared; the hash function it hands to hmac() lives only while a token is made.
import { hmac } from '../../firmware/crypto/hmac.js';
import type { Crypto } from '../types.js';
import type { EspruinoEnv } from './env.js';

interface NativeCrypto extends Crypto {
  /** Espruino's crypto module. */
  module_: any;
}

const cryptoMethods = {
  hmacSha256(this: NativeCrypto, key: Uint8Array, msg: Uint8Array) {
    const C = this.module_;
    return hmac((m) => new Uint8Array(C.SHA256(m)), key, msg);
  },
};

export function nativeCrypto(env: EspruinoEnv): Crypto {
  const c: NativeCrypto = Object.create(cryptoMethods);
  c.module_ = env.require('crypto');
  return c;
}
