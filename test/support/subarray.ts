// Espruino's subarray(begin, end) does not stop at the array's end: the view it returns reads past
// it (zeros, or a larger buffer's neighbouring bytes). Node clamps, so code that relies on the
// clamp passes here and fails on a board. While fn runs, an end past the array throws instead.
export function withEspruinoSubarray<T>(fn: () => T): T {
  const proto = Uint8Array.prototype;
  const real = proto.subarray;
  proto.subarray = function (this: Uint8Array, begin?: number, end?: number) {
    if (end !== undefined && end > this.length) throw new Error(`subarray(${begin}, ${end}) past the end of ${this.length} bytes: Espruino would read past it`);
    return real.call(this, begin, end);
  };
  try {
    return fn();
  } finally {
    proto.subarray = real;
  }
}
