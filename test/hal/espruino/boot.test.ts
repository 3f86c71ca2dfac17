import { describe, expect, it } from 'vitest';
import { CONFIG_FILE, readConfig } from '../../../hal/espruino/boot.js';
import type { EspruinoEnv } from '../../../hal/espruino/env.js';

function env(files: Record<string, unknown>): EspruinoEnv {
  return {
    require: (m: string) => {
      if (m !== 'Storage') throw new Error('Module ' + m + ' not found');
      // Espruino's readJSON(name, noExceptions) gives undefined for a missing file.
      return { readJSON: (f: string, quiet: unknown) => (quiet === 1 ? files[f] : 'threw') };
    },
    getTime: () => 0,
    setTimeout: () => 0,
    clearTimeout: () => undefined,
  };
}

describe('hal/espruino boot', () => {
  it('reads the config `tinyiot flash --config` saved as Storage tinyiot.json, without exceptions', () => {
    expect(CONFIG_FILE).toBe('tinyiot.json');
    expect(readConfig(env({ 'tinyiot.json': { host: 'broker.lan' }, other: { host: 'x' } }))).toEqual({ host: 'broker.lan' });
  });

  it('gives {} when nothing was saved', () => {
    expect(readConfig(env({}))).toEqual({});
  });
});
