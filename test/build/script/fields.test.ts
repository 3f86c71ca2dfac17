import { describe, expect, it } from 'vitest';
import { Fields, ScriptError, isObject } from '../../../build/script/fields.js';

function fails(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScriptError);
    return (e as Error).message;
  }
  throw new Error('expected a ScriptError');
}

describe('Fields', () => {
  it('reads typed values and applies defaults only to absent fields', () => {
    const f = new Fields({ s: 'x', b: false, n: 5, q: 2 }, 'here');
    expect(f.str('s')).toBe('x');
    expect(f.str('none', true)).toBeUndefined();
    expect(f.bool('b', true)).toBe(false);
    expect(f.bool('nb', true)).toBe(true);
    expect(f.int('n', 0, 10)).toBe(5);
    expect(f.int('nn', 0, 10, 7)).toBe(7);
    expect(f.qos('q')).toBe(2);
    f.done();
  });

  it('names the place and the dotted field in every failure', () => {
    const f = new Fields({ w: { t: 1, extra: 0 }, n: 11 }, 'step 4 (x)');
    expect(fails(() => f.int('n', 0, 10))).toBe("step 4 (x): 'n' must be an integer from 0 to 10");
    const w = f.nested('w')!;
    expect(fails(() => w.str('t'))).toBe("step 4 (x): 'w.t' must be a string");
    expect(fails(() => w.qos('q'))).toBe("step 4 (x): missing 'w.q'");
    expect(fails(() => w.done())).toBe("step 4 (x): unknown field 'w.extra'");
    expect(fails(() => f.list('n', 'things'))).toBe("step 4 (x): 'n' must be a non-empty array of things");
  });

  it('treats null as a value of the wrong type, not as absent', () => {
    const f = new Fields({ b: null }, 'p');
    expect(fails(() => f.bool('b', false))).toBe("p: 'b' must be true or false");
  });

  it('isObject excludes arrays and null', () => {
    expect(isObject({})).toBe(true);
    expect(isObject([])).toBe(false);
    expect(isObject(null)).toBe(false);
    expect(isObject('x')).toBe(false);
  });
});
