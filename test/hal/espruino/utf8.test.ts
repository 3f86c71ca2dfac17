// hal.utf8 on Espruino: the natives convert, on the interpreter itself (its strings are bytes unless
// marked UTF-8); without them (the build's stand-ins, fakes) there is no converter and firmware
// converts in JS.
import { describe, expect, it } from 'vitest';
import { bundleFirmware } from '../../../build/bundle.js';
import { runInEngine } from '../../../build/es5-engines.js';
import { espruinoUtf8 } from '../../../hal/espruino/utf8.js';
import { requireEspruino } from '../../support/espruino.js';
import { fakeE } from '../../support/espruino-fakes/board.js';

const e = requireEspruino();

describe('espruinoUtf8', () => {
  it('gives no converter without E.asUTF8 and E.isUTF8', () => {
    expect(espruinoUtf8(undefined)).toBeUndefined();
    expect(espruinoUtf8(fakeE(true))).toBeUndefined();
    expect(espruinoUtf8(fakeE(false))).toBeUndefined();
  });

  it.skipIf(e.missing)('on Espruino: UTF-8 both ways, marking only text that is not ASCII', async () => {
    const { code } = await bundleFirmware('hal/espruino/utf8.ts', { globalName: 'U', minify: true });
    const script = String.raw`
      function hex(b) { var s = ''; for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16); return s; }
      var u = U.espruinoUtf8(E), t = '\u00e9\u20ac\ud83d\ude00\u4e2d';
      // A UTF-8 string, a byte string with a character above 0x7f (U+00E9), ASCII.
      print(hex(u.encode(t)), hex(u.encode(String.fromCharCode(233))), hex(u.encode('ab')));
      var d = u.decode(E.toUint8Array(t)), a = u.decode(new Uint8Array([0x24, 0x72]));
      print(d == t, d.length, E.isUTF8(d), a, E.isUTF8(a), u.decode(new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 3)).length);`;
    const r = await runInEngine(code, { engine: 'espruino', script });
    expect(r.error).toBeUndefined();
    expect(r.output).toBe('c3a9e282acf09f9880e4b8ad c3a9 6162\ntrue 4 true $r false 2\n');
  });
});
