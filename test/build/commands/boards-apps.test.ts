// `tinyiot boards --apps`: each example built for each board as `tinyiot build` builds it.
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { type AppFit, appFits, fitCell, fitsText } from '../../../build/commands/boards-apps.js';
import { listApps } from '../../../build/firmware/apps.js';
import { runCli } from '../cliRun.js';

describe('appFits', () => {
  it('builds every example: figures against the budget when it fits, the build\'s reason when it does not', async () => {
    const emulator = loadBoard('emulator');
    // The same board with room for no bundle at all.
    const tiny = { ...emulator, id: 'tiny', budget: { ...emulator.budget, maxBundleBytes: 4000 } };
    const puck = loadBoard('puckjs');
    const lines: string[] = [];
    const fits = await appFits([emulator, tiny, puck], (l) => lines.push(l));
    expect([...fits.keys()]).toEqual(['emulator', 'tiny', 'puckjs']);
    expect(lines).toContain('building mqtt-blink for tiny');
    for (const f of fits.get('emulator')!) {
      expect(f).toMatchObject({ fits: true, insecureDev: false, maxBytes: 46080 });
      expect(f.bytes).toBeGreaterThan(4000);
      expect(f.jsVars).toBeLessThanOrEqual(f.maxJsVars!);
    }
    for (const f of fits.get('tiny')!) {
      expect(f.fits).toBe(false);
      expect(f.reason).toMatch(new RegExp(`^bundle is ${f.bytes} bytes, over the 4000-byte limit by ${f.bytes! - 4000}`));
    }
    // The Puck builds for its gateway link: both apps made for it fit its byte limit; the IoT Hub
    // layer does not.
    for (const f of fits.get('puckjs')!) {
      if (f.app == 'iothub-sensor') expect(f.reason).toMatch(/^bundle is \d+ bytes, over the 16384-byte limit/);
      else expect([f.app, f.fits, f.bytes! <= 16384]).toEqual([f.app, true, true]);
    }
    const text = fitsText(fits);
    expect(text).toMatch(/^emulator +mqtt-blink +yes \d+\/46080 B, \d+\/\d+ JsVars( \(estimated\))?$/m);
    expect(text).toMatch(/^tiny +iothub-sensor +no: bundle is \d+ bytes, over the 4000-byte limit/m);
    expect(text).toMatch(/^puckjs +mqtt-blink +yes \d+\/16384 B, \d+\/1315 JsVars( \(estimated\))?$/m);
  }, 300000);
});

describe('fitCell', () => {
  const base: AppFit = { app: 'mqtt-blink', fits: true, insecureDev: false, bytes: 100, maxBytes: 200, jsVars: 10, maxJsVars: 20, measured: true };
  it('says how a build in the insecure development mode fared, and whether JsVars were estimated', () => {
    expect(fitCell(base)).toBe('yes 100/200 B, 10/20 JsVars');
    expect(fitCell({ ...base, measured: false, insecureDev: true })).toBe('yes 100/200 B, 10/20 JsVars (estimated) [insecure dev]');
    expect(fitCell({ ...base, fits: false, insecureDev: true, reason: 'bundle is 300 bytes, over the 200-byte limit by 100' }))
      .toBe('no [insecure dev]: bundle is 300 bytes, over the 200-byte limit by 100');
  });
});

describe('tinyiot boards --apps (the binary)', () => {
  it('--json gives each board its "apps"', async () => {
    const r = await runCli(['boards', 'puckjs', '--apps', '--json']);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout);
    expect(b.id).toBe('puckjs');
    expect(b.apps.map((a: AppFit) => [a.app, a.fits])).toEqual(listApps().map((a) => [a, a != 'iothub-sensor']));
    expect(b.apps.find((a: AppFit) => a.app == 'iothub-sensor').reason).toMatch(/over the 16384-byte limit/);
    expect(r.stderr).toContain('boards: building mqtt-blink for puckjs');
  });
});
