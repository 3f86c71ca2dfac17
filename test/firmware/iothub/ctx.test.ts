import { describe, expect, it } from 'vitest';
import { json } from '../../../firmware/iothub/ctx.js';

const b = (s: string) => new Uint8Array(Buffer.from(s));

describe('json', () => {
  it('parses a UTF-8 JSON payload', () => {
    expect(json(b('{"a":[1,"é"]}'))).toEqual({ a: [1, 'é'] });
    expect(json(b('"x"'))).toBe('x');
  });
  it('gives undefined for text that is not JSON, and null for bytes that are not UTF-8', () => {
    expect(json(b('{not json'))).toBeUndefined();
    expect(json(new Uint8Array(0))).toBeUndefined();
    expect(json(new Uint8Array([0x7b, 0xff, 0x7d]))).toBeNull();
  });
});
