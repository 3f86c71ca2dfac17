import type { Crypto } from '../../hal/types.js';
import { hmac } from './hmac.js';
import { sha256 } from './sha256.js';

export { sha256 } from './sha256.js';
export { hmac } from './hmac.js';
export { base64Encode, base64Decode } from './base64.js';

/** The HAL Crypto for boards without native SHA-256: everything in JS. */
export function jsCrypto(): Crypto {
  return { hmacSha256: (k, m) => hmac(sha256, k, m) };
}
