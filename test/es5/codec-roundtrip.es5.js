// Runs inside an ES5 engine after the codec bundle (global `codec`); plain ES5 on purpose.
// Encodes every packet type, decodes each one byte at a time and all of them from one chunk,
// compares fields, and prints each packet's bytes so the host can compare engines with Node.
function bytes(a) {
  return new Uint8Array(a);
}

function hex(b) {
  var s = '';
  for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return s;
}

function same(a, b) {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  var k;
  for (k in a) if (a[k] !== undefined && !same(a[k], b[k])) return false;
  for (k in b) if (b[k] !== undefined && a[k] === undefined) return false;
  return true;
}

var packets = [
  { type: 1, clientId: 'dev-1', clean: true, keepalive: 60 },
  { type: 1, clientId: 'h\u00e9\u20ac\ud83d\ude00', clean: false, keepalive: 65535, username: 'user',
    password: bytes([0, 1, 255]), will: { topic: 'w/t', payload: bytes([9, 8]), qos: 1, retain: true } },
  { type: 2, sessionPresent: false, rc: 0 },
  { type: 2, sessionPresent: true, rc: 5 },
  { type: 3, topic: 'a/b', payload: bytes([]), qos: 0, retain: false, dup: false },
  { type: 3, topic: 't', payload: bytes([1, 2, 3]), qos: 1, retain: true, dup: true, id: 1 },
  { type: 3, topic: 'long', payload: new Uint8Array(300), qos: 2, retain: false, dup: false, id: 65535 },
  { type: 4, id: 2 },
  { type: 5, id: 3 },
  { type: 6, id: 4 },
  { type: 7, id: 5 },
  { type: 8, id: 6, subs: [{ topic: 'a/+', qos: 0 }, { topic: 'b/#', qos: 2 }] },
  { type: 9, id: 7, codes: [0, 1, 2, 128] },
  { type: 10, id: 8, topics: ['a/+', 'c'] },
  { type: 11, id: 9 },
  { type: 12 },
  { type: 13 },
  { type: 14 }
];
packets[6].payload[0] = 7;
packets[6].payload[299] = 200;

var got = [], errors = [], fails = 0, all = [], total = 0, i, j;
var dec = codec.createDecoder(4096, function (p) { got.push(p); }, function (e) { errors.push(e); });
for (i = 0; i < packets.length; i++) {
  var b = codec.encode(packets[i]);
  print('hex', i, hex(b));
  all.push(b);
  total += b.length;
  for (j = 0; j < b.length; j++) dec.push(b.subarray(j, j + 1));
}
var whole = new Uint8Array(total), at = 0;
for (i = 0; i < all.length; i++) {
  whole.set(all[i], at);
  at += all[i].length;
}
dec.push(whole);
if (errors.length) print('decode errors', errors.join('; '));
if (got.length !== 2 * packets.length) print('decoded', got.length, 'of', 2 * packets.length);
for (i = 0; i < got.length; i++) {
  if (!same(packets[i % packets.length], got[i])) {
    fails++;
    print('mismatch', i % packets.length, i < packets.length ? 'bytewise' : 'one chunk');
  }
}

// A wire error is a value handed to onError, citing the spec clause.
var bad = [];
codec.createDecoder(4096, function () { bad.push('packet'); }, function (e) { bad.push(e); }).push(bytes([0x00, 0x00]));
codec.createDecoder(4096, function () { bad.push('packet'); }, function (e) { bad.push(e); }).push(bytes([0x60, 0x02, 0x00, 0x01]));
print('bad', bad.join(' | '));
print('utf8', codec.utf8Decode(codec.utf8Encode('\u00e9\ud83d\ude00'), 0, 6) === '\u00e9\ud83d\ude00');

if (!fails && !errors.length && got.length === 2 * packets.length) print('ok', packets.length);
