// hal/at-modem as firmware: bundled to plain ES5 and run in QuickJS, where heap use can be read.
// A burst of writes while the modem is busy must cost about the bytes themselves (one waiting byte
// string), not an object and a closure per write, and must leave no garbage that only a cycle
// collector would free (QuickJS, like Espruino, frees the rest by reference counting at once).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getQuickJS, type QuickJSContext, type QuickJSRuntime } from 'quickjs-emscripten';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFirmware } from '../../../build/bundle.js';

let dir: string;
let code: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tinyiot-at-bundle-'));
  const entry = join(dir, 'entry.ts');
  const at = (f: string) => JSON.stringify(resolve('hal/at-modem', f));
  await writeFile(entry, `export { atTransport } from ${at('transport.js')};\nexport { esp8266 } from ${at('esp8266.js')};\n`);
  code = (await bundleFirmware(entry, { minify: true, globalName: 'X' })).code;
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

// A board over a modem that answers only when the script says so: ok() answers the oldest command
// (the prompt for a send, then "SEND OK" once its payload is in). Timers run only when asked.
const board = `
var out = [], rx, T = [], n = 0;
var clock = { now: function () { return 0; }, time: function () { return 0; },
  setTimer: function (ms, f) { T.push([++n, f]); return n; },
  clearTimer: function (id) { for (var i = 0; i < T.length; i++) if (T[i][0] == id) T.splice(i, 1); } };
var t = X.atTransport({ write: function (d) { out.push(d); }, onData: function (f) { rx = f; } }, clock, X.esp8266, {});
var h = { onOpen: function () {}, onData: function () {}, onError: function (m) { throw new Error(m); }, onClose: function () {} };
function ok() {
  var c = out.shift();
  if (/^AT\\+CIPSEND=/.test(c)) rx('OK\\r\\n> ');
  else if (/^AT\\+CIPSTART/.test(c)) rx('CONNECT\\r\\nOK\\r\\n');
  else if (/^AT/.test(c)) rx('OK\\r\\n');
  else rx('\\r\\nRecv ' + c.length + ' bytes\\r\\n\\r\\nSEND OK\\r\\n');
}
function drain() { while (out.length) ok(); while (T.length) T.shift()[1](); }
function packet(i) { var b = new Uint8Array(30); for (var j = 0; j < 30; j++) b[j] = (i + j) & 255; return b; }
var s = t.connect({ host: 'h', port: 1, tls: false }, h);
drain();
`;

function engine(rt: QuickJSRuntime, vm: QuickJSContext) {
  const stat = (re: RegExp) => Number(re.exec(rt.dumpMemoryUsage())![1]);
  return {
    run(src: string) {
      const r = vm.evalCode(src);
      if (r.error) {
        const e = vm.dump(r.error);
        r.error.dispose();
        throw new Error(JSON.stringify(e));
      }
      r.value.dispose();
    },
    used: () => stat(/memory used\s+\d+\s+(\d+)/),
    objects: () => stat(/objects\s+(\d+)/),
  };
}

describe('hal/at-modem in QuickJS', () => {
  it('holds a burst of 100 writes as their bytes, and leaves nothing behind once they are sent', async () => {
    const rt = (await getQuickJS()).newRuntime();
    const vm = rt.newContext();
    try {
      const e = engine(rt, vm);
      e.run(code);
      e.run(board);
      e.run('s.write(packet(0)); drain();'); // warmed up and idle
      const objects = e.objects();
      for (let k = 0; k < 2; k++) {
        e.run('s.write(packet(1));'); // a send is now running
        const before = e.used();
        e.run('for (var i = 0; i < 100; i++) s.write(packet(i));');
        const burst = e.used() - before;
        // 3000 bytes wait: one byte string, with room for its copies while it grows.
        expect(burst).toBeGreaterThan(3000);
        expect(burst).toBeLessThan(3 * 3000);
        e.run('drain();');
        expect(e.objects()).toBe(objects);
      }
    } finally {
      vm.dispose();
      rt.dispose();
    }
  }, 30_000);
});
