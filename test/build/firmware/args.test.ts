import { describe, expect, it } from 'vitest';
import { buildKinds, buildOptions, parseArgs, UsageError } from '../../../build/firmware/args.js';

const kinds = { board: 'string', n: 'number', flag: 'boolean' } as const;

describe('parseArgs', () => {
  it('reads --k v, --k=v, boolean flags and positionals', () => {
    expect(parseArgs(['app', '--board', 'esp32', '--n=3', '--flag'], kinds, 1)).toEqual({ flags: { board: 'esp32', n: 3, flag: true }, positionals: ['app'] });
  });

  it.each([
    [['--nope'], "unknown option '--nope'"],
    [['-x'], "unknown option '-x'"],
    [['--board'], '--board needs a value'],
    [['--board', '--flag'], '--board needs a value'],
    [['--n', 'abc'], "--n must be a positive number (got 'abc')"],
    [['--n', '-1'], "--n must be a positive number (got '-1')"],
    [['--flag=1'], '--flag takes no value'],
    [['a', 'b'], "unexpected argument 'b'"],
  ])('%j -> %s', (argv, msg) => {
    expect(() => parseArgs(argv, kinds, 1)).toThrow(UsageError);
    expect(() => parseArgs(argv, kinds, 1)).toThrow(msg);
  });
});

describe('buildOptions', () => {
  it('passes --budget-bytes and --budget-jsvars on to the build', () => {
    const argv = ['mqtt-blink', '--board', 'esp32', '--budget-bytes', '5000', '--budget-jsvars', '700'];
    expect(buildOptions(parseArgs(argv, buildKinds, 1), () => undefined)).toMatchObject({ app: 'mqtt-blink', board: 'esp32', budgetBytes: 5000, budgetJsVars: 700 });
  });
});
