import { describe, expect, it } from 'vitest';
import { buildKinds, buildOptions, parseArgs, UsageError } from '../../../build/firmware/args.js';

const kinds = { board: 'string', n: 'number', flag: 'boolean', prop: 'list' } as const;

describe('parseArgs', () => {
  it('reads --k v, --k=v, boolean flags and positionals', () => {
    expect(parseArgs(['app', '--board', 'esp32', '--n=3', '--flag'], kinds, 1)).toEqual({ flags: { board: 'esp32', n: 3, flag: true }, positionals: ['app'] });
  });

  it('keeps every value of a list flag in order', () => {
    expect(parseArgs(['--prop', 'a=1', '--prop=b=2'], kinds, 0).flags).toEqual({ prop: ['a=1', 'b=2'] });
  });

  it('takes what follows -- as positionals', () => {
    expect(parseArgs(['--', '--flag'], kinds, 1)).toEqual({ flags: {}, positionals: ['--flag'] });
  });

  it('takes an inline value that starts with dashes', () => {
    expect(parseArgs(['--board=--x'], kinds, 0).flags).toEqual({ board: '--x' });
  });

  it.each([
    [['--nope'], "unknown option '--nope'"],
    [['--nope=1'], "unknown option '--nope'"],
    [['--toString'], "unknown option '--toString'"],
    [['-x'], "unknown option '-x'"],
    [['-fx'], "unknown option '-f'"],
    [['--board'], '--board needs a value'],
    [['--board='], '--board needs a value'],
    [['--board', '--flag'], '--board needs a value'],
    [['--prop'], '--prop needs a value'],
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
    expect(buildOptions(parseArgs(argv, buildKinds, 1), () => undefined)).toMatchObject({ app: 'mqtt-blink', board: { id: 'esp32' }, budgetBytes: 5000, budgetJsVars: 700 });
  });
});
