// firmware/crypto and the pure IoT Hub pieces, compiled to ES5 by the real firmware pipeline and
// run in the ES5-class engines, Espruino's own interpreter included: every engine must print
// exactly what Node prints for the same bundle, and the hashes must be the published vectors. This
// is where a float-derived SHA-256 constant, a 32-bit overflow, an ES2015 library call or a
// regular expression outside Espruino's subset would show.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInContext, createContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFirmware } from '../../../build/bundle.js';
import { engines, runInEngine } from '../../../build/es5-engines.js';
import { engineMissing } from '../../support/binary.js';

const root = resolve(import.meta.dirname, '../../..');
const at = (p: string): string => JSON.stringify(join(root, p));

const entry = `
export { sha256, hmac, base64Encode, base64Decode, jsCrypto } from ${at('firmware/crypto/index.ts')};
export { sasToken, deviceResourceUri } from ${at('firmware/iothub/sas.ts')};
export { encodePropertyBag, decodePropertyBag } from ${at('firmware/iothub/propbag.ts')};
export { parseConnectionString } from ${at('firmware/iothub/connstr.ts')};
export { idError } from ${at('firmware/iothub/ids.ts')};
export { iothubUsername, telemetryTopic, parseTwinRes, parseMethod, parseC2d, parseDpsRes } from ${at('firmware/iothub/topics.ts')};
export { useUtf8 } from ${at('firmware/mqtt/codec/utf8.ts')};
export { espruinoUtf8 } from ${at('hal/espruino/utf8.ts')};
`;

// On Espruino the platform's text converter is installed first, as createClient does on a board.
const onEspruino = 'T.useUtf8(T.espruinoUtf8(E));\n';

// Plain ES5, using only what duktape's and the mujs stand-in's Uint8Array offer. Objects are
// printed with sorted keys (mujs enumerates keys in sorted order), bags as sorted pairs. Text
// beyond ASCII is written as \u escapes (Espruino reads source as bytes, mujs reads an astral
// character in source as one code point) and printed escaped (JSON.stringify differs there).
const script = String.raw`
function bytes(s) { var u = new Uint8Array(s.length); for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u; }
function rep(n, v) { var u = new Uint8Array(n); for (var i = 0; i < n; i++) u[i] = v; return u; }
function hex(b) { var s = ''; for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16); return s; }
function err(f) { try { f(); return 'no error'; } catch (e) { return String(e.message); } }
function q(s) {
  var r = '"', i, c;
  for (i = 0; i < s.length; i++) {
    c = s.charCodeAt(i);
    // Espruino's UTF-8 strings give a code point past U+FFFF whole: printed as its surrogates.
    if (c > 65535) r += '\\u' + (0xd7c0 + (c >> 10)).toString(16) + '\\u' + (0xdc00 | c & 1023).toString(16);
    else r += c < 32 || c > 126 ? '\\u' + (c + 65536).toString(16).slice(1) : c == 34 || c == 92 ? '\\' + s.charAt(i) : s.charAt(i);
  }
  return r + '"';
}
function js(o) {
  if (typeof o == 'string') return q(o);
  if (o === null || typeof o != 'object') return JSON.stringify(o);
  if (o instanceof Array) { var a = []; for (var j = 0; j < o.length; j++) a.push(js(o[j])); return '[' + a.join(',') + ']'; }
  var ks = Object.keys(o).sort(), r = [];
  for (var i = 0; i < ks.length; i++) r.push(q(ks[i]) + ':' + js(o[ks[i]]));
  return '{' + r.join(',') + '}';
}
var all = new Uint8Array(256); for (var i = 0; i < 256; i++) all[i] = i;
print(hex(T.sha256(bytes('abc'))));
print(hex(T.sha256(bytes('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))));
print(hex(T.sha256(rep(1000, 97))));
print(hex(T.hmac(T.sha256, bytes('Jefe'), bytes('what do ya want for nothing?'))));
print(hex(T.hmac(T.sha256, rep(131, 170), bytes('Test Using Larger Than Block-Size Key - Hash Key First'))));
print(T.base64Encode(all));
print(hex(T.base64Decode(T.base64Encode(all))));
print(err(function () { T.base64Decode('Zm9v!A=='); }));
var key = T.base64Encode(bytes('0123456789abcdef0123456789abcdef'));
print(T.sasToken(T.jsCrypto(), T.deviceResourceUri('hub.azure-devices.net', "d'1*(x)", 'm@1'), key, 1700000000, 'pol icy'));
var props = { '$.ct': 'application/json', 'k&=': 'v +#/%', 'e': '\u00e9\u20ac', 'n': null, 'z': '' };
var bag = T.encodePropertyBag(props);
print(bag.split('&').sort().join('&'));
print(js(T.decodePropertyBag(bag)));
var astral = '\ud83d\ude00';
print(T.decodePropertyBag(T.encodePropertyBag({ x: astral })).x === astral);
print(js([T.decodePropertyBag('a=%zz'), T.decodePropertyBag('a=%'), T.decodePropertyBag('a&&b'), T.decodePropertyBag('a=1+2')]));
print(js(T.parseConnectionString('HostName=h.azure-devices.net;DeviceId=d1;ModuleId=m;SharedAccessKey=' + key + ';GatewayHostName=127.0.0.1:8883')));
print(err(function () { T.parseConnectionString('HostName=h;DeviceId=d1;SharedAccessKey' + key); }));
print(T.idError('device id', 'a\u0001/'));
print(T.iothubUsername('h', 'd', 'm', 'dtmi:x;1') + ' ' + T.telemetryTopic('d', 'm', { a: 'b c' }));
print(js([T.parseTwinRes('$iothub/twin/res/204/?$rid=4&$version=12'), T.parseMethod('$iothub/methods/POST/go/?$rid=9'), T.parseC2d('devices/d/messages/devicebound/%24.to=x', 'd'), T.parseDpsRes('$dps/registrations/res/202/?$rid=1&retry-after=3'), T.parseTwinRes('nope')]));
print(js([T.decodePropertyBag(T.encodePropertyBag({ '\u4e2d': 'caf\u00e9 \ud83d\ude00' })), T.parseC2d('devices/d/messages/devicebound/k=\u20ac%C3%A9&%24.to=%2F', 'd')]));
print(js([T.parseConnectionString('HostName=h.azure-devices.net;DeviceId=d1;x509=true;GatewayHostName=[::1]:8883'), T.parseConnectionString('HostName=h.azure-devices.net;DeviceId=d1;x509=true;GatewayHostName=edge')]));
print(err(function () { T.parseConnectionString('HostName=h.azure-devices.net;DeviceId=d1;x509=true;GatewayHostName=gw:99999'); }));
print(js([T.parseTwinRes('$iothub/twin/res/200/?$rid=123456789012345&$version=7'), T.parseTwinRes('$iothub/twin/res/200/?$rid=1&$version=1234567890123456'), T.parseDpsRes('$dps/registrations/res/429/?$rid=2&retry-after=x')]));
`;

let dir = '';
let code = '';
let expected = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tinyiot-crypto-es5-'));
  const file = join(dir, 'entry.ts');
  await writeFile(file, entry);
  code = (await bundleFirmware(file, { globalName: 'T', minify: true })).code;
  const lines: string[] = [];
  runInContext(code + '\n' + script, createContext({ print: (...a: unknown[]) => lines.push(a.join(' ')) }));
  expected = lines.join('\n') + '\n';
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('crypto and IoT Hub pure pieces on ES5 engines', () => {
  it('the bundle gives the published vectors under Node', () => {
    const lines = expected.split('\n');
    expect(lines[0]).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(lines[1]).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(lines[3]).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(lines[4]).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
    expect(lines[9]).toBe('%24.ct=application%2Fjson&e=%C3%A9%E2%82%AC&k%26%3D=v%20%2B%23%2F%25&n&z=');
    expect(lines[11]).toBe('true');
    expect(lines[12]).toBe('[null,null,null,{"a":"1+2"}]');
    expect(lines[17]).toBe('[{"rid":"4","status":204,"version":12},{"name":"go","rid":"9"},{"$.to":"x"},{"retryAfter":3,"rid":"1","status":202},null]');
    // Text beyond U+00FF through the property bag and a C2D topic; GatewayHostName forms; whole
    // numbers of up to 15 digits.
    expect(lines[18]).toBe('[{"\\u4e2d":"caf\\u00e9 \\ud83d\\ude00"},{"$.to":"/","k":"\\u20ac\\u00e9"}]');
    expect(lines[19]).toBe('[{"deviceId":"d1","gatewayHostName":"::1","gatewayPort":8883,"hostName":"h.azure-devices.net","x509":true},{"deviceId":"d1","gatewayHostName":"edge","hostName":"h.azure-devices.net","x509":true}]');
    expect(lines[20]).toBe('connection string: GatewayHostName is not host or host:port');
    expect(lines[21]).toBe('[{"rid":"123456789012345","status":200,"version":7},null,null]');
  });

  for (const engine of engines) {
    it.skipIf(engineMissing(engine))(`${engine} prints exactly what Node prints`, async () => {
      const r = await runInEngine(code, { engine, script: engine === 'espruino' ? onEspruino + script : script, timeoutMs: 60000 });
      expect(r.error).toBeUndefined();
      expect(r.output).toBe(expected);
    });
  }
});
