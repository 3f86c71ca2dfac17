import { describe, expect, it } from 'vitest';
import { jsonErrorAt, jsonErrorOffset, parseJsonQuietly } from '../../build/json.js';

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is valid', () => {
    for (const t of ['{}', '[]', '0', '-1.5e+3', '"\\u00e9\\n\\"x"', 'true', ' null ', '{"a":[1,{"b":false}],"c":""}']) {
      expect(() => JSON.parse(t)).not.toThrow();
      expect(jsonErrorOffset(t)).toBe(-1);
    }
  });

  it('finds where each kind of mistake is', () => {
    const cases: [string, number][] = [
      ['{"password":TOPSECRET}', 12],
      ['{"a":1,}', 7],
      ['[1 2]', 3],
      ['{"a":1} x', 8],
      ['{"p":"a\u0001"}', 7],
      ['"\\x"', 2],
      ['"\\u12g4"', 5],
      ['01', 1],
      ['tru', 3],
      ['{"a" 1}', 5],
      ['', 0],
    ];
    for (const [t, off] of cases) {
      expect(() => JSON.parse(t)).toThrow();
      expect([t, jsonErrorOffset(t)]).toEqual([t, off]);
    }
  });
});

describe('jsonErrorAt and parseJsonQuietly', () => {
  it('give line and column, counted from 1, and never the text', () => {
    expect(jsonErrorAt('{\n  "key": sk_live_123\n}')).toBe('line 2, column 10');
    expect(jsonErrorAt('{"a": "unterminated')).toBe('unexpected end of the text');
    expect(() => parseJsonQuietly('{"k": hunter2}', 'config')).toThrow(/^config is not valid JSON \(line 1, column 7\)$/);
    expect(parseJsonQuietly('{"k": 1}', 'config')).toEqual({ k: 1 });
  });
});
