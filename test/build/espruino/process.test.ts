import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runEspruino } from '../../../build/espruino/process.js';
import { requireEspruino } from '../../support/espruino.js';

const e = requireEspruino();

describe.skipIf(e.missing)('runEspruino', () => {
  it('boots code from Storage, prints lines after the banner, takes typed lines, and cleans up', async () => {
    const lines: string[] = [];
    const r = await runEspruino({
      storage: { app: 'print("loaded " + typeof require("Storage").read("app")); setInterval(function(){}, 1000);' },
      boot: 'eval(require("Storage").read("app"));',
      onLine: (l) => lines.push(l),
    });
    for (let i = 0; i < 50 && !lines.some((l) => l.startsWith('loaded')); i++) await new Promise((res) => setTimeout(res, 50));
    r.type('print("typed " + (20 + 22))');
    for (let i = 0; i < 50 && !lines.includes('typed 42'); i++) await new Promise((res) => setTimeout(res, 50));
    await r.stop();
    expect(lines).toContain('loaded string');
    expect(lines).toContain('typed 42');
    expect(lines.join('\n')).not.toMatch(/espruino\.com/);
    expect(existsSync(r.dir)).toBe(false);
  });
  it('a Storage name over 28 characters is refused before anything runs', async () => {
    await expect(runEspruino({ storage: { ['x'.repeat(29)]: '1' }, boot: '' })).rejects.toThrow(/longer than 28/);
  });
  it('the run ends by itself when nothing is left to do, with exit code 0 after quit()', async () => {
    const r = await runEspruino({ boot: 'print("bye"); quit();' });
    expect(await r.exited).toBe(0);
    await r.stop();
  });
});
