// The start-up check must catch a main() that throws, a bundle that does not load and a start that
// allocates more than the board has; and pass a real app built for a real board.
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { bootLine } from '../../../build/firmware/entry.js';
import { smokeRun } from '../../../build/firmware/smoke.js';

const esp32 = loadBoard('esp32');
const boot = bootLine(esp32, 'tinyiot');
const bundle = (body: string) => `var tinyiot=(function(){return{run:function(env,cfg){${body}}}})();`;

describe('smokeRun', () => {
  it('passes a firmware that starts, and gives the heap it took', async () => {
    const r = await smokeRun(bundle('env.print("host " + env.require("Storage").readJSON("tinyiot.json").host); env.require("net").connect({}, function () {}); env.setTimeout(function () {}, 10);'), boot, esp32, { host: 'h1' });
    expect(r).toMatchObject({ ok: true, output: 'host h1\n' });
    expect(r.startBytes).toBeGreaterThanOrEqual(r.loadBytes);
  });

  it('fails when main() throws, and says so', async () => {
    const r = await smokeRun(bundle('throw new Error("no config");'), boot, esp32, {});
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^main\(\) did not start: .*no config/);
  });

  it('fails when the bundle does not load', async () => {
    const r = await smokeRun('var tinyiot = undefinedThing.x;', boot, esp32, {});
    expect(r.error).toMatch(/^loading the bundle failed: .*undefinedThing/);
  });

  it('fails when starting takes more heap than the board has', async () => {
    const tiny = { ...loadBoard('esp8266') }; // 1600 x 12 B
    const r = await smokeRun(bundle('var a = []; for (var i = 0; i < 5000; i++) a.push({ i: i, s: "x" + i });'), bootLine(tiny, 'tinyiot'), tiny, {});
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/heap budget of \d+ bytes exceeded/);
    expect(r.overHeap).toBe(true);
  });

  it('runs the simulator form with a host HAL object', async () => {
    const r = await smokeRun('var tinyiot={run:function(hal,cfg){hal.log.info("t " + hal.io.sense("temp") + " " + cfg.x)}};', '', loadBoard('emulator'), { x: 5 });
    expect(r).toMatchObject({ ok: true, output: 'info: t 21.5 5\n' });
  });
});
