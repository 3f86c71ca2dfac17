// The start-up check must catch a main() that throws, a bundle that does not load and a start that
// allocates more than the board has; and pass a real app built for a real board. On Espruino's
// interpreter when one is found (figures in blocks), and on QuickJS, the fallback (bytes).
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { bootLine } from '../../../build/firmware/entry.js';
import { smokeEngine, smokeRun, type SmokeEngine } from '../../../build/firmware/smoke.js';
import { requireEspruino } from '../../support/espruino.js';

const esp32 = loadBoard('esp32');
const boot = bootLine(esp32, 'tinyiot');
const bundle = (body: string) => `var tinyiot=(function(){return{run:function(env,cfg){${body}}}})();`;
const e = requireEspruino();

describe.each<SmokeEngine>(['quickjs', 'espruino'])('smokeRun on %s', (engine) => {
  const skip = engine === 'espruino' && e.missing;

  it.skipIf(skip)('passes a firmware that starts, and gives what loading and starting took', async () => {
    const r = await smokeRun(bundle('env.print("host " + env.require("Storage").readJSON("tinyiot.json").host); env.require("net").connect({}, function () {}); env.setTimeout(function () {}, 10);'), boot, esp32, { host: 'h1' }, engine);
    expect(r).toMatchObject({ ok: true, output: 'host h1\n', engine });
    if (engine === 'quickjs') expect(r.startBytes).toBeGreaterThanOrEqual(r.loadBytes);
    else expect(r.startBlocks).toBeGreaterThan(r.loadBlocks!);
  });

  it.skipIf(skip)('fails when main() throws, and says so', async () => {
    const r = await smokeRun(bundle('throw new Error("no config");'), boot, esp32, {}, engine);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^main\(\) did not start: .*no config/);
  });

  it.skipIf(skip)('fails when the bundle does not load', async () => {
    const r = await smokeRun('var tinyiot = undefinedThing.x;', boot, esp32, {}, engine);
    expect(r.error).toMatch(/^loading the bundle failed: .*undefinedThing/);
  });

  it.skipIf(skip)('fails when starting takes more heap than the board has', async () => {
    const tiny = { ...loadBoard('esp8266') }; // 1600 x 12 B
    const r = await smokeRun(bundle('var a = []; for (var i = 0; i < 5000; i++) a.push({ i: i, s: "x" + i }); this.keep = a;'), bootLine(tiny, 'tinyiot'), tiny, {}, engine);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(engine === 'quickjs' ? /heap budget of \d+ bytes exceeded/ : /took \d+ blocks, more than the board's 1600 JsVars/);
    expect(r.overHeap).toBe(true);
  });
});

describe('smokeRun', () => {
  it('runs the simulator form with a host HAL object, in QuickJS whatever is installed', async () => {
    const emulator = loadBoard('emulator');
    expect(smokeEngine(emulator)).toBe('quickjs');
    const r = await smokeRun('var tinyiot={run:function(hal,cfg){hal.log.info("t " + hal.io.sense("temp") + " " + cfg.x)}};', '', emulator, { x: 5 });
    expect(r).toMatchObject({ ok: true, output: 'info: t 21.5 5\n', engine: 'quickjs' });
    await expect(smokeRun('', '', emulator, {}, 'espruino')).rejects.toThrow(/runs on a host/);
  });

  it("uses Espruino's interpreter for an Espruino board when one is found", () => {
    expect(smokeEngine(esp32)).toBe(e.missing ? 'quickjs' : 'espruino');
  });
});
