import { afterEach, describe, expect, it, vi } from 'vitest';
import { arrayLog, stderrLog } from '../../../hal/emulated/log.js';

afterEach(() => vi.restoreAllMocks());

describe('arrayLog', () => {
  it('keeps lines at or above its level, in order', () => {
    const log = arrayLog('info');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(log.lines).toEqual(['info: i', 'warn: w', 'error: e']);
  });

  it('defaults to everything', () => {
    const log = arrayLog();
    log.debug('d');
    expect(log.lines).toEqual(['debug: d']);
  });

  it('refuses an unknown level', () => {
    expect(() => arrayLog('loud' as 'info')).toThrow(/unknown level/);
  });
});

describe('stderrLog', () => {
  it('writes filtered lines to stderr', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = stderrLog('warn', 'sim');
    log.info('quiet');
    log.warn('loud');
    expect(spy.mock.calls.map((c) => c[0])).toEqual(['sim warn: loud\n']);
  });
});
