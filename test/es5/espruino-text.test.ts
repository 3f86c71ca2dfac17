// Text beyond U+00FF on Espruino's own interpreter, whose strings are bytes unless marked UTF-8
// (String.fromCharCode keeps only the low byte, slice() counts bytes in a UTF-8 string, its
// encodeURIComponent garbles and its decodeURIComponent refuses escapes above %7F). Both
// directions against mqtt-packet in Node: packets encoded on Espruino are parsed by mqtt-packet,
// and mqtt-packet's bytes are decoded on Espruino, with é, €, 😀 and CJK in topics, payloads,
// client ids, user names and subscription lists. Then what reads those topics on a device: C2D
// property bags, twin and method replies ($rid, status), and connection strings.
import { describe, expect, it } from 'vitest';
import { bundleFirmware } from '../../build/bundle.js';
import { runInEngine } from '../../build/es5-engines.js';
import type { Packet } from '../../firmware/mqtt/codec/packet.js';
import { requireEspruino } from '../support/espruino.js';
import { fromOracle, oracleGenerate, oracleParse, plain } from '../support/mqttPacketOracle.js';

const e = requireEspruino();

const TEXTS = ['caf\u00e9', '5 \u20ac', '\u{1F600}', '\u4e2d\u6587 \u65e5\u672c\u8a9e', 'a/\u00e9/\u20ac/\u{1F600}/\u4e2d'];
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** JSON with everything beyond ASCII as \u escapes: Espruino reads source text as bytes. */
const ascii = (v: unknown) => JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

/** Packets with text in every field that carries it; payloads as text, turned into bytes on each side. */
function packets(): (Packet & { text?: string })[] {
  const [a, b, c, d, f] = TEXTS as [string, string, string, string, string];
  return [
    { type: 1, clientId: 'dev-' + a, clean: true, keepalive: 60, username: d, will: { topic: f, payload: utf8(b), qos: 1, retain: false } },
    ...TEXTS.map((t, i) => ({ type: 3, topic: 't/' + t, payload: utf8(TEXTS[(i + 1) % TEXTS.length]!), qos: (i % 3) as 0, retain: false, dup: false, ...(i % 3 ? { id: i + 1 } : {}) })),
    { type: 8, id: 9, subs: [{ topic: a + '/+', qos: 1 }, { topic: c + '/#', qos: 0 }] },
    { type: 10, id: 10, topics: [b, d] },
  ] as Packet[];
}

// In the engine: the text converter a board's HAL gives, and strings printed escaped as above.
const prelude = String.raw`
codec.useUtf8(codec.espruinoUtf8(E));
function hex(b) { var s = ''; for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16); return s; }
function unhex(h) { var u = new Uint8Array(h.length / 2); for (var i = 0; i < u.length; i++) u[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16); return u; }
function q(s) {
  var r = '"', i, c;
  for (i = 0; i < s.length; i++) {
    c = s.charCodeAt(i);
    // A code point past U+FFFF comes whole from a UTF-8 string: printed as its surrogates.
    if (c > 65535) r += '\\u' + (0xd7c0 + (c >> 10)).toString(16) + '\\u' + (0xdc00 | c & 1023).toString(16);
    else r += c > 126 ? '\\u' + (c + 65536).toString(16).slice(1) : c == 34 || c == 92 ? '\\' + s.charAt(i) : s.charAt(i);
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
`;

/** What js() prints in the engine, computed in Node. */
const js = (v: unknown): string => {
  if (v === null || typeof v !== 'object') return ascii(v);
  if (Array.isArray(v)) return '[' + v.map(js).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).sort().map((k) => ascii(k) + ':' + js(o[k])).join(',') + '}';
};

async function run(script: string): Promise<string[]> {
  const bundle = await bundleFirmware('test/es5/text-entry.ts', { globalName: 'codec', minify: true });
  const r = await runInEngine(bundle.code, { engine: 'espruino', script: prelude + script, timeoutMs: 60000 });
  expect(r.error).toBeUndefined();
  return r.output.trimEnd().split('\n');
}

describe.skipIf(e.missing)('text beyond U+00FF on Espruino', () => {
  it('encodes packets that mqtt-packet parses back to the same text, byte for byte what it generates', async () => {
    const ps = packets();
    // Payloads travel as text and are made bytes by the platform's converter, as publish() does.
    const inEngine = ps.map((p) => {
      const x: Record<string, unknown> = { ...p };
      if (p.type === 3) x.payload = Buffer.from(p.payload).toString('utf8');
      if (p.type === 1) x.will = { ...p.will, payload: Buffer.from(p.will!.payload).toString('utf8') };
      return x;
    });
    const lines = await run(`
      var ps = ${ascii(inEngine)};
      for (var i = 0; i < ps.length; i++) {
        var p = ps[i];
        if (p.type == 3) p.payload = codec.utf8Encode(p.payload);
        if (p.type == 1) p.will.payload = codec.utf8Encode(p.will.payload);
        print(hex(codec.encode(p)));
      }`);
    expect(lines).toHaveLength(ps.length);
    lines.forEach((h, i) => {
      const wire = new Uint8Array(Buffer.from(h, 'hex'));
      const parsed = oracleParse(wire);
      expect(parsed.errors).toEqual([]);
      expect(parsed.packets.map(fromOracle)).toEqual([plain(ps[i]!)]);
      expect(h).toBe(Buffer.from(oracleGenerate(ps[i]!)).toString('hex'));
    });
  });

  it('encodes a PUBLISH given text where bytes belong as its UTF-8 bytes, the usual way skipped, packet or fields', async () => {
    const texts = ['plain ascii', ...TEXTS];
    const lines = await run(`
      var ts = ${ascii(texts)};
      for (var i = 0; i < ts.length; i++) {
        for (var time = 0; time < 2; time++) {
          print(hex(codec.encode({ type: 3, topic: "text/" + i, payload: ts[i], qos: 0, retain: false, dup: false })) + " " +
            hex(codec.encodePublish("text/" + i, ts[i], 0, false)));
        }
      }`);
    expect(lines).toEqual(texts.flatMap((t, i) => {
      const want = Buffer.from(oracleGenerate({ type: 3, topic: 'text/' + i, payload: utf8(t), qos: 0, retain: false, dup: false })).toString('hex');
      return [`${want} ${want}`, `${want} ${want}`];
    }));
  });

  it("decodes mqtt-packet's bytes to the same text, and refuses what is not UTF-8 [MQTT-1.5.3-1] or holds U+0000 [MQTT-1.5.3-2]", async () => {
    const ps = packets();
    const wire = ps.map((p) => Buffer.from(oracleGenerate(p)).toString('hex'));
    // 0xc0 0xaf: an overlong '/'; 0xed 0xa0 0x80: a surrogate; then a NUL.
    const bad = ['30050003c0af78', '30060003eda08078', '3005000361006200'];
    const lines = await run(`
      var got = [], errs = [];
      var d = codec.createDecoder(4096, function (p) { got.push(p); }, function (e) { errs.push(e); });
      var wire = ${JSON.stringify(wire)};
      for (var i = 0; i < wire.length; i++) d.push(unhex(wire[i]));
      for (i = 0; i < got.length; i++) {
        var p = got[i], t = p.type;
        print(js(t == 1 ? [p.clientId, p.username, p.will.topic, codec.utf8Decode(p.will.payload, 0, p.will.payload.length)]
          : t == 3 ? [p.topic, codec.utf8Decode(p.payload, 0, p.payload.length)]
          : t == 8 ? [p.subs[0].topic, p.subs[1].topic] : p.topics));
      }
      print(errs.length);
      var bad = ${JSON.stringify(bad)};
      for (i = 0; i < bad.length; i++) {
        var e = 'none';
        codec.createDecoder(4096, function () {}, function (x) { e = x; }).push(unhex(bad[i]));
        print(e);
      }`);
    const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
    const expected = ps.map((p) =>
      js(p.type === 1 ? [p.clientId, p.username, p.will!.topic, text(p.will!.payload)]
        : p.type === 3 ? [p.topic, text(p.payload)]
        : p.type === 8 ? p.subs.map((s) => s.topic) : (p as { topics: string[] }).topics));
    expect(lines).toEqual([...expected, '0', '[MQTT-1.5.3-1]', '[MQTT-1.5.3-1]', '[MQTT-1.5.3-2]']);
  });

  it('reads C2D property bags, twin and method replies from decoded topics, and property bags both ways', async () => {
    // The topics come off the wire through the decoder, as on a board.
    const topics = [
      'devices/d1/messages/devicebound/%24.ct=text%2Fplain&k=\u20ac%C3%A9&\u4e2d=\u{1F600}',
      '$iothub/twin/res/200/?$rid=17&$version=123456789012345',
      '$iothub/twin/res/204/?$rid=\u00e9&$version=1234567890123456',
      '$iothub/twin/res/200/?$rid=\u00e9&$version=3',
      '$iothub/methods/POST/\u6e29\u5ea6/?$rid=5',
      '$iothub/twin/PATCH/properties/desired/?$version=42',
    ];
    const wire = topics.map((t) => Buffer.from(oracleGenerate({ type: 3, topic: t, payload: new Uint8Array(0), qos: 0, retain: false, dup: false })).toString('hex'));
    const bag = { '\u00e9t\u00e9': '30 \u00b0C', '\u20ac': '\u{1F600}\u4e2d', '$.ct': 'a/b' };
    const lines = await run(`
      var ts = [], wire = ${JSON.stringify(wire)};
      var d = codec.createDecoder(4096, function (p) { ts.push(p.topic); }, function (e) { print('error ' + e); });
      for (var i = 0; i < wire.length; i++) d.push(unhex(wire[i]));
      print(js([codec.parseC2d(ts[0], 'd1'), codec.parseTwinRes(ts[1]), codec.parseTwinRes(ts[2]), codec.parseTwinRes(ts[3]), codec.parseMethod(ts[4]), codec.parseDesired(ts[5])]));
      var s = codec.encodePropertyBag(${ascii(bag)});
      print(s);
      print(js(codec.decodePropertyBag(s)));`);
    expect(lines).toEqual([
      js([{ '$.ct': 'text/plain', k: '\u20ac\u00e9', '\u4e2d': '\u{1F600}' }, { status: 200, rid: '17', version: 123456789012345 }, null,
        { status: 200, rid: '\u00e9', version: 3 }, { name: '\u6e29\u5ea6', rid: '5' }, 42]),
      Object.entries(bag).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
      js(bag),
    ]);
  });

  it('parses connection strings with GatewayHostName host:port, [IPv6]:port and host, and with text beyond ASCII', async () => {
    const base = 'HostName=hub.azure-devices.net;DeviceId=d1;SharedAccessKey=QUJD;GatewayHostName=';
    const lines = await run(`
      var gws = ['127.0.0.1:8883', '[::1]:18883', 'edge.local', 'gw:0', 'gw:99999', 'gw:', '::1', '[x'];
      for (var i = 0; i < gws.length; i++) {
        try { var c = codec.parseConnectionString('${base}' + gws[i]); print(c.gatewayHostName, c.gatewayPort); }
        catch (e) { print(e.message); }
      }
      // A policy name beyond ASCII: every piece cut from the string is marked UTF-8 on Espruino.
      var c = codec.parseConnectionString('${base}gw:1;SharedAccessKeyName=\u00e9t\u00e9');
      print(c.hostName, c.deviceId, c.gatewayPort, c.sharedAccessKeyName == '\u00e9t\u00e9');`);
    const refused = 'connection string: GatewayHostName is not host or host:port';
    expect(lines).toEqual(['127.0.0.1 8883', '::1 18883', 'edge.local undefined', refused, refused, refused, refused, refused,
      'hub.azure-devices.net d1 1 true']);
  });
});
