import { describe, expect, it } from 'vitest';
import { orList, schemaProblems, show } from '../../build/board-schema.js';
import { defaultBoardsDir } from '../../build/boards.js';

const problems = (obj: unknown) => schemaProblems(obj, defaultBoardsDir, 'schema.json');

const board = (over: Record<string, unknown> = {}) => ({
  id: 'foo', name: 'Foo', espruinoBoard: 'FOO', mcu: 'X1', jsVars: 5000, blockSize: 13, ramKB: 96,
  flashCodeKB: 48, network: 'wifi', tls: 'native', crypto: 'sha256', hal: 'espruino',
  pins: { led1: 'B2', led2: null, button: 'C13' },
  budget: { maxShare: 0.5, maxBundleBytes: 16384 }, notes: 'Test board.', source: ['docs/boards.md: made up for a test'],
  ...over,
});

describe('schemaProblems (boards/schema.json through ajv)', () => {
  it('finds nothing in a board that fits', () => {
    expect(problems(board())).toEqual([]);
  });

  it('says a value of the wrong type once, not again for its enum', () => {
    expect(problems(board({ blockSize: 'big' }))).toEqual([`field 'blockSize' must be an integer (got "big")`]);
  });

  it('names array items by index and nested fields by dots', () => {
    expect(problems(board({ source: ['ok: no', 7] }))).toEqual([
      "field 'source[0]' must match ^(docs/[a-z0-9-]+\\.md(#[a-z0-9-]+)?|https://[^ ]+|[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+ [^ :]+): .+ (got \"ok: no\")",
      "field 'source[1]' must be a string (got 7)",
    ]);
    expect(problems(board({ modem: { chip: 'esp8266', serial: 'Serial2', baud: 9 } }))).toEqual(["field 'modem.baud' must be at least 1200 (got 9)"]);
  });

  it('lists every problem of a file', () => {
    expect(problems(board({ name: '', ramKB: 0, extra: 1 }))).toEqual([
      "unknown field 'extra'",
      "field 'name' must not be empty",
      "field 'ramKB' must be at least 1 (got 0)",
    ]);
  });
});

describe('show and orList', () => {
  it('shortens long values and joins lists as prose', () => {
    expect(show('x'.repeat(50))).toBe(`"${'x'.repeat(36)}...`);
    expect([orList([]), orList(['a']), orList(['a', 'b', 'c'])]).toEqual(['', 'a', 'a, b or c']);
  });
});
