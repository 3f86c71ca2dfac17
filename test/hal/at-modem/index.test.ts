// createAtTransport as a board uses it: profile choice, TLS offload end to end over real sockets
// (the fake modem runs node:tls, the board only sees plaintext), and the code compiled to ES5 and
// run inside ES5 engines against a scripted modem.
import { createServer as createTlsServer, type Server } from 'node:tls';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFirmware, type BundleResult } from '../../../build/bundle.js';
import { engines, runInEngine } from '../../../build/es5-engines.js';
import { engineMissing } from '../../support/binary.js';
import { verifyEs5 } from '../../../build/verify.js';
import * as atSource from '../../../hal/at-modem/index.js';
import { createAtTransport } from '../../../hal/at-modem/index.js';
import { realClock, VirtualClock } from '../../../hal/emulated/clock.js';
import { fakeBg96 } from '../../../hal/emulated/fake-modem-bg96.js';
import { echoDialer, netDialer } from '../../../hal/emulated/fake-modem-dial.js';
import { fakeEsp8266 } from '../../../hal/emulated/fake-modem-esp8266.js';
import { bytes, recorder } from '../../../hal/emulated/fake-modem-rig.js';
import { makePki, type Pki } from '../../support/certs.js';
import { until } from '../../support/wait.js';

describe('createAtTransport', () => {
  it('picks the command set by name', () => {
    for (const [name, fake, first] of [
      ['esp8266', fakeEsp8266, 'AT+CIPSTART="SSL","h",1'],
      ['bg96', fakeBg96, 'AT+QSSLOPEN=1,0,0,"h",1,0'],
    ] as const) {
      const clock = new VirtualClock();
      const modem = fake({ clock, dial: echoDialer() });
      const r = recorder();
      createAtTransport(modem, clock, name).connect({ host: 'h', port: 1, tls: true }, r);
      clock.advance(100);
      expect(r.events).toEqual(['open']);
      expect(modem.commands).toContain(first);
    }
  });

  it('throws at once on an unknown profile (a programming error)', () => {
    const clock = new VirtualClock();
    const modem = fakeEsp8266({ clock, dial: echoDialer() });
    expect(() => createAtTransport(modem, clock, 'sim800' as 'bg96')).toThrow(/unknown profile "sim800"/);
  });
});

describe('TLS offload to a real node:tls server on 127.0.0.1', () => {
  let pki: Pki;
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    pki = await makePki();
    server = createTlsServer({ key: pki.server.key, cert: pki.server.cert }, (s) => {
      s.on('data', (b: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), b])));
      s.on('error', () => {});
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const a = server.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });

  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    pki.cleanup();
  });

  // Binary with the modems' own framing inside, to show the bytes are counted, never scanned.
  const payload = '\r\nOK\r\n+IPD,3:\x00\xff\r\nSEND OK\r\n+QSSLRECV: 9\r\n> ' + 'x'.repeat(3000);

  it('ESP8266: the module verifies the server against its flashed CA; plaintext both ways', async () => {
    const clock = realClock();
    const modem = fakeEsp8266({ clock, dial: netDialer(), flash: { ca: pki.ca.cert }, split: 17, seed: 7 });
    const r = recorder();
    const s = createAtTransport(modem, clock, 'esp8266').connect({ host: '127.0.0.1', port, tls: true, ca: pki.ca.cert }, r);
    await until(() => r.events.length > 0, 'open');
    expect(r.events).toEqual(['open']);
    expect(modem.commands).toContain('AT+CIPSSLCCONF=2');
    s.write(bytes(payload));
    await until(() => r.received.length >= payload.length + 5, 'echo');
    expect(r.received.startsWith('echo:')).toBe(true);
    expect(r.received.replace(/echo:/g, '')).toBe(payload);
    s.close();
    expect(modem.violations).toEqual([]);
  });

  it('BG96: the CA goes up with AT+QFUPL and the modem verifies with it; plaintext both ways', async () => {
    const clock = realClock();
    const modem = fakeBg96({ clock, dial: netDialer(), split: 11, seed: 3 });
    const r = recorder();
    const s = createAtTransport(modem, clock, 'bg96').connect({ host: '127.0.0.1', port, tls: true, ca: pki.ca.cert }, r);
    await until(() => r.events.length > 0, 'open');
    expect(r.events).toEqual(['open']);
    expect(modem.files.get('cacert.pem')).toBe(pki.ca.cert);
    s.write(bytes(payload));
    await until(() => r.received.replace(/echo:/g, '').length >= payload.length, 'echo');
    expect(r.received.replace(/echo:/g, '')).toBe(payload);
    s.close();
    expect(modem.violations).toEqual([]);
  });

  it('BG96: a server the uploaded CA did not sign is refused (onError + onClose, no open)', async () => {
    const clock = realClock();
    const modem = fakeBg96({ clock, dial: netDialer() });
    const r = recorder();
    createAtTransport(modem, clock, 'bg96').connect({ host: '127.0.0.1', port, tls: true, ca: pki.otherCa.cert }, r);
    await until(() => r.events.length >= 2, 'failure');
    expect(r.events).toEqual(['error: QSSLOPEN error 566', 'close: QSSLOPEN error 566']);
  });
});

// ES5 scripted modem + clock, run after the bundle; prints what the board saw.
const es5Script = `
var now = 0, timers = [], tid = 0, feed = null, need = 0, got = '', rx = '', log = [];
var clock = {
  now: function () { return now; },
  time: function () { return 0; },
  setTimer: function (ms, fn) { tid++; timers.push({ id: tid, at: now + ms, fn: fn }); return tid; },
  clearTimer: function (id) { for (var i = 0; i < timers.length; i++) if (timers[i].id === id) { timers.splice(i, 1); return; } }
};
function run() {
  while (timers.length) {
    timers.sort(function (a, b) { return a.at - b.at || a.id - b.id; });
    var t = timers.shift(); now = t.at; t.fn();
  }
}
function emit(s) {
  for (var i = 0; i < s.length; i += 3) (function (c) { clock.setTimer(1, function () { feed(c); }); })(s.slice(i, i + 3));
}
function hex(u) { var h = ''; for (var i = 0; i < u.length; i++) h += (u[i] < 16 ? '0' : '') + u[i].toString(16); return h; }
var answers = { 'ATE0': '\\r\\nOK\\r\\n', 'AT+CIPMUX=0': '\\r\\nOK\\r\\n', 'AT+CIPSSLSIZE=4096': '\\r\\nOK\\r\\n',
  'AT+CIPSSLCCONF=0': '\\r\\nOK\\r\\n', 'AT+CIPSSLCSNI="h"': '\\r\\nERROR\\r\\n', 'AT+CIPCLOSE': 'CLOSED\\r\\n\\r\\nOK\\r\\n',
  'AT+CIPSTART="SSL","h",8883': 'busy p...\\r\\n', 'again': 'CONNECT\\r\\n\\r\\nOK\\r\\n' };
var serial = {
  onData: function (fn) { feed = fn; },
  write: function (s) {
    if (need) {
      got += s; need -= s.length;
      if (!need) emit('\\r\\nRecv ' + got.length + ' bytes\\r\\n\\r\\nSEND OK\\r\\n\\r\\n+IPD,' + got.length + ':' + got + 'CLOSED\\r\\n');
      return;
    }
    var c = s.slice(0, s.length - 2); log.push(c);
    var m = /^AT\\+CIPSEND=(\\d+)$/.exec(c);
    if (m) { need = +m[1]; got = ''; emit('\\r\\nOK\\r\\n> '); return; }
    var a = answers[c]; if (c.indexOf('CIPSTART') > 0) answers[c] = answers.again;
    emit(a || '\\r\\nERROR\\r\\n');
  }
};
var t = AT.createAtTransport(serial, clock, 'esp8266');
var s = t.connect({ host: 'h', port: 8883, tls: true }, {
  onOpen: function () { log.push('open'); s.write(new Uint8Array([13, 10, 79, 75, 13, 10, 0, 255, 62, 32])); },
  onData: function (u) { rx += hex(u); },
  onClose: function (r) { log.push('data ' + rx); log.push('close ' + r); },
  onError: function (e) { log.push('error ' + e); }
});
run();
var s2 = t.connect({ host: 'h', port: 8883, tls: true }, {
  onOpen: function () { log.push('open2'); feed('\\r\\nready\\r\\n'); },
  onData: function () {}, onClose: function (r) { log.push('close2 ' + r); },
  onError: function (e) { log.push('error2 ' + e); }
});
run();
s2.write(new Uint8Array([1]));
run();
print(log.join(' | '));
`;

describe('hal/at-modem compiled to ES5', () => {
  let bundle: BundleResult;

  beforeAll(async () => {
    bundle = await bundleFirmware('hal/at-modem/index.ts', { globalName: 'AT', minify: true });
  });

  const reference = (() => {
    const lines: string[] = [];
    runInNewContext(es5Script, { AT: atSource, Uint8Array, print: (x: string) => lines.push(x) });
    return lines.join('\n') + '\n';
  })();

  it('is plain ES5', () => {
    expect(verifyEs5(bundle.code)).toEqual([]);
    expect(verifyEs5(es5Script)).toEqual([]);
  });

  it('runs the scripted session in Node first (the reference)', () => {
    expect(reference).toContain('AT+CIPSTART="SSL","h",8883 | AT+CIPSTART="SSL","h",8883 | open | AT+CIPSEND=10');
    // fin queues AT+CIPCLOSE (written at once, the modem being idle) before it calls onClose
    expect(reference).toContain('AT+CIPCLOSE | data 0d0a4f4b0d0a00ff3e20 | close closed by peer | ATE0');
    expect(reference).toContain('open2 | error2 modem reset | close2 modem reset');
    expect(reference).not.toMatch(/AT\+CIPSEND=1 /);
  });

  it.for(engines)('runs the same session on %s', async (engine, { skip }) => {
    skip(engineMissing(engine));
    const r = await runInEngine(bundle.code, { engine, script: es5Script });
    expect(r.error).toBeUndefined();
    expect(r.output).toBe(reference);
  });
});
