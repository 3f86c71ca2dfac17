import { describe, expect, it } from 'vitest';
import { espruinoLog } from '../../../hal/espruino/log.js';

describe('espruinoLog', () => {
  it('prints lines at or above the level, prefixed with it', () => {
    const out: string[] = [];
    const log = espruinoLog('warn', (s) => out.push(s));
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(out).toEqual(['warn: w', 'error: e']);
  });

  it('defaults to info', () => {
    const out: string[] = [];
    const log = espruinoLog(undefined, (s) => out.push(s));
    log.debug('d');
    log.info('i');
    expect(out).toEqual(['info: i']);
  });

  it('rejects an unknown level', () => {
    expect(() => espruinoLog('loud')).toThrow(/unknown level "loud"/);
  });
});
