import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNativeExecutable, locateEspruino } from '../../../build/espruino/locate.js';
import { requireEspruino } from '../../support/espruino.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-locate-'));
const script = join(dir, 'espruino');
writeFileSync(script, '#!/usr/bin/env node\nconsole.log(1)\n');
chmodSync(script, 0o755);

describe('locateEspruino', () => {
  it('refuses a script of the same name (the npm uploader), keeps looking', () => {
    expect(isNativeExecutable(script)).toBe(false);
    const found = locateEspruino({ PATH: dir });
    expect(found?.path).not.toBe(script);
  });
  it('a TINYIOT_ESPRUINO that is not an interpreter is an error naming the variable', () => {
    expect(() => locateEspruino({ TINYIOT_ESPRUINO: script })).toThrow(/TINYIOT_ESPRUINO=.*not an executable Espruino interpreter/);
  });
  const e = requireEspruino();
  it.skipIf(e.missing)('TINYIOT_ESPRUINO wins over the other places', () => {
    expect(locateEspruino({ TINYIOT_ESPRUINO: e.path!, PATH: '' })).toEqual({ path: e.path, from: 'TINYIOT_ESPRUINO' });
  });
});
