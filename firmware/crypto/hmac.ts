// HMAC (RFC 2104) over any hash with a 64-byte block (SHA-256 here). Kept apart from sha256.ts and
// with no default hash, so a board with native SHA-256 bundles only this wrapper, not the JS hash.

/** HMAC with hash `h` (64-byte block). Keys longer than the block are hashed first. */
export function hmac(h: (m: Uint8Array) => Uint8Array, key: Uint8Array, msg: Uint8Array): Uint8Array {
  if (key.length > 64) key = h(key);
  const i = new Uint8Array(64 + msg.length);
  const o = new Uint8Array(96);
  for (let j = 0; j < 64; j++) {
    i[j] = (key[j] || 0) ^ 0x36;
    o[j] = (key[j] || 0) ^ 0x5c;
  }
  i.set(msg, 64);
  o.set(h(i), 64);
  return h(o);
}
