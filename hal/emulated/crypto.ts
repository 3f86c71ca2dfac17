// Node's native HMAC for the simulator; boards without native SHA-256 use firmware/crypto instead.
import { createHmac } from 'node:crypto';
import type { Crypto } from '../types.js';

export function nodeCrypto(): Crypto {
  return {
    hmacSha256: (key, msg) => new Uint8Array(createHmac('sha256', key).update(msg).digest()),
  };
}
