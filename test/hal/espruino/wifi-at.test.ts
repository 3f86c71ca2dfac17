import { describe, expect, it } from 'vitest';
import { espruinoClock } from '../../../hal/espruino/clock.js';
import { atWifiJoin, espruinoAtSerial } from '../../../hal/espruino/wifi-at.js';
import { FakeSerial, fakeEspruino } from '../../support/espruino-fakes/index.js';
import { until } from '../../support/wait.js';
import { bundleFirmware } from '../../../build/bundle.js';
import { runInEngine } from '../../../build/es5-engines.js';
import { requireEspruino } from '../../support/espruino.js';

/** An ESP8266 AT firmware that answers the join commands; CWJAP is answered per `join`. */
function modem(ser: FakeSerial, join: (cmd: string, n: number) => string | undefined) {
  let buf = '';
  let n = 0;
  const cmds: string[] = [];
  ser.onWrite((s) => {
    buf += s;
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const c = buf.slice(0, i);
      buf = buf.slice(i + 2);
      cmds.push(c);
      if (c.startsWith('AT+CWJAP=')) {
        const r = join(c, ++n);
        // Split the answer over two reads, as a UART would.
        if (r !== undefined) setTimeout(() => (ser.feed(r.slice(0, 5)), ser.feed(r.slice(5))), 2);
      } else ser.feed('\r\nOK\r\n');
    }
  });
  return cmds;
}

function rig() {
  const b = fakeEspruino();
  const clock = espruinoClock(b.env);
  const ser = espruinoAtSerial(b.serial, 115200, { rx: 'A3', tx: 'A2' });
  return { b, clock, ser };
}

describe('espruinoAtSerial', () => {
  it('sets the UART up, writes byte strings and hands data to the one current reader', async () => {
    const { b, ser } = rig();
    expect(b.serial.setups).toEqual([{ baud: 115200, opts: { rx: 'A3', tx: 'A2' } }]);
    ser.write('AT\r\n');
    expect(b.serial.written).toBe('AT\r\n');
    const a: string[] = [];
    const c: string[] = [];
    ser.onData((s) => a.push(s));
    b.serial.feed('one');
    await until(() => a.length === 1, 'first reader');
    ser.onData((s) => c.push(s));
    b.serial.feed('two');
    await until(() => c.length === 1, 'second reader');
    expect([a, c]).toEqual([['one'], ['two']]);
  });
});

describe('atWifiJoin', () => {
  it('sends ATE0, CWMODE=1 and CWJAP with escaped credentials, then gives the reader back', async () => {
    const { b, clock, ser } = rig();
    const cmds = modem(b.serial, () => '\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n');
    const mine = () => {};
    ser.onData(mine);
    const res: (string | undefined)[] = [];
    atWifiJoin(ser, clock, 'lab "5G", 2', 'p\\w"d', (e) => res.push(e));
    expect(ser.reader_).not.toBe(mine);
    await until(() => res.length > 0, 'join');
    expect(res).toEqual([undefined]);
    expect(cmds).toEqual(['ATE0', 'AT+CWMODE=1', 'AT+CWJAP="lab \\"5G\\"\\, 2","p\\\\w\\"d"']);
    expect(ser.reader_).toBe(mine);
  });

  it('retries a refused join and reports the modem reason without the password', async () => {
    const { b, clock, ser } = rig();
    const cmds = modem(b.serial, () => '\r\n+CWJAP:2\r\n\r\nFAIL\r\n');
    const res: (string | undefined)[] = [];
    atWifiJoin(ser, clock, 'lab', 'hunter2', (e) => res.push(e), { tries: 2, pause: 5, ms: 1000 });
    await until(() => res.length > 0, 'join');
    expect(res).toEqual(['wifi: join failed (wrong password)']);
    expect(res[0]).not.toContain('hunter2');
    expect(cmds.filter((c) => c.startsWith('AT+CWJAP'))).toHaveLength(2);
  });

  it('joins on a later try after a timeout', async () => {
    const { b, clock, ser } = rig();
    modem(b.serial, (_c, n) => (n === 1 ? undefined : '\r\nOK\r\n'));
    const res: (string | undefined)[] = [];
    atWifiJoin(ser, clock, 'lab', 'pw', (e) => res.push(e), { tries: 3, pause: 5, ms: 40 });
    await until(() => res.length > 0, 'join');
    expect(res).toEqual([undefined]);
  });

  it('says "no answer" when the modem never answers', async () => {
    const { clock, ser } = rig();
    const res: (string | undefined)[] = [];
    atWifiJoin(ser, clock, 'lab', 'pw', (e) => res.push(e), { tries: 1, ms: 30 });
    await until(() => res.length > 0, 'join', 15_000);
    expect(res[0]).toBe('wifi: join failed (no answer)');
  });
});

describe.skipIf(requireEspruino().missing)('atWifiJoin on Espruino', () => {
  it('escapes the credentials the same way (its replace() has no $& pattern)', async () => {
    const { code } = await bundleFirmware('hal/espruino/wifi-at.ts', { globalName: 'W', minify: true });
    const script = String.raw`
      var out = '', h;
      var port = { setup: function () {}, write: function (d) { out += d; }, on: function (e, f) { h = f; } };
      var ck = { now: function () { return 0; }, time: function () { return 0; }, setTimer: function () { return 1; }, clearTimer: function () {} };
      W.atWifiJoin(W.espruinoAtSerial(port), ck, 'lab "5G", 2', 'p\\w"d', function () {});
      h('\r\nOK\r\n');
      h('\r\nOK\r\n');
      print(out.split('\r\n')[2]);`;
    const r = await runInEngine(code, { engine: 'espruino', script });
    expect(r.error).toBeUndefined();
    expect(r.output).toBe('AT+CWJAP="lab \\"5G\\"\\, 2","p\\\\w\\"d"\n');
  });
});
