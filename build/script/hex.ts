// Bytes as hex text and back: how payloads travel in a plan and in the player's events, which are
// JSON. Plain ES5 (the player runs inside Espruino too), so no Buffer.

export function fromHex(h: string): Uint8Array {
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

export function toHex(b: Uint8Array): string {
  let h = '';
  for (let i = 0; i < b.length; i++) h += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return h;
}
