// The shims alone, in a real QjsHost, over recording stand-ins for qjs-bridge.ts's __h_* functions.
import { afterEach, describe, expect, it } from 'vitest';
import { QjsHost } from '../../../build/firmware/qjs-host.js';
import { eventsShim, halShim } from '../../../build/firmware/qjs-shims.js';
import { verifyEs5 } from '../../../build/verify.js';

const H = ['__h_now', '__h_time', '__h_timer', '__h_untimer', '__h_connect', '__h_write', '__h_close', '__h_sread', '__h_swrite', '__h_serase', '__h_hmac', '__h_log', '__h_io'];
let host: QjsHost | undefined;
afterEach(() => host?.dispose());

async function shimmed(answers: Record<string, unknown> = {}) {
  const errors: string[] = [];
  host = await QjsHost.create({ onError: (m) => errors.push(m) });
  const calls: unknown[][] = [];
  const out: unknown[] = [];
  for (const n of H) host.expose(n, (...a: unknown[]) => (calls.push([n, ...a]), answers[n] as string | number | undefined));
  host.expose('__out', (x: unknown) => void out.push(x));
  host.eval(eventsShim + halShim, 'hal.js');
  return { h: host, calls, out, errors };
}

describe('qjs-shims', () => {
  it('are plain ES5', () => {
    expect(verifyEs5(eventsShim + halShim)).toEqual([]);
  });

  it('timers: numbered, dispatched once by __ev, cancelled only while pending', async () => {
    const { h, calls, out } = await shimmed();
    h.eval('var a = __hal.clock.setTimer(50, function () { __out("a"); }); var b = __hal.clock.setTimer(-5, function () { __out("b"); }); __out(a); __out(b);');
    expect(out).toEqual([1, 2]);
    expect(calls).toEqual([['__h_timer', 1, 50], ['__h_timer', 2, 0]]);
    h.call('__ev', 't', 2);
    h.call('__ev', 't', 2);
    expect(out).toEqual([1, 2, 'b']);
    h.eval('__hal.clock.clearTimer(1); __hal.clock.clearTimer(1); __hal.clock.clearTimer(2);');
    expect(calls.slice(2)).toEqual([['__h_untimer', 1]]);
    h.call('__ev', 't', 1);
    expect(out).toEqual([1, 2, 'b']);
  });

  it('sockets: connect passes the options as JSON, bytes cross as byte strings both ways, close forgets the socket', async () => {
    const { h, calls, out } = await shimmed();
    h.eval(`var s = __hal.transport.connect({ host: 'h', port: 8883, tls: true, ca: 'CA', extra: 1 }, {
      onOpen: function () { __out('open'); },
      onData: function (b) { __out(b instanceof Uint8Array ? b.length + ':' + b[0] + ',' + b[1] + ',' + b[2] : 'not bytes'); },
      onError: function (m) { __out('error ' + m); },
      onClose: function (r) { __out('close ' + r); }
    });
    s.write(new Uint8Array([0, 127, 255]));`);
    expect(calls[0]!.slice(0, 2)).toEqual(['__h_connect', 1]);
    expect(JSON.parse(calls[0]![2] as string)).toEqual({ host: 'h', port: 8883, tls: true, ca: 'CA' });
    expect(calls[1]).toEqual(['__h_write', 1, '\x00\x7f\xff']);
    h.call('__ev', 'o', 1);
    h.call('__ev', 'd', 1, '\x00\x80\xff');
    h.call('__ev', 'e', 1, 'boom');
    h.call('__ev', 'c', 1, 'gone');
    h.call('__ev', 'd', 1, 'late');
    h.call('__ev', 'o', 99);
    expect(out).toEqual(['open', '3:0,128,255', 'error boom', 'close gone']);
    h.eval('s.close();');
    expect(calls[2]).toEqual(['__h_close', 1]);
  });

  it('storage, crypto, log, io and clock map onto their __h_ functions', async () => {
    const { h, calls, out } = await shimmed({ __h_sread: 'v', __h_hmac: '\x01\xfe', __h_io: 21.5, __h_now: 1234, __h_time: 1.7e9 });
    h.eval(`__out(__hal.storage.read('k')); __hal.storage.write('k', 'x'); __hal.storage.erase('k');
      var m = __hal.crypto.hmacSha256(new Uint8Array([1]), new Uint8Array([2, 3])); __out(m.length + ':' + m[0] + ',' + m[1]);
      __hal.log.warn('careful'); __hal.log.debug('d');
      __hal.io.write('D2', true); __out(__hal.io.sense('temp'));
      __out(__hal.clock.now()); __out(__hal.clock.time());
      var r = __hal.random(); __out(r >= 0 && r < 1);`);
    expect(out).toEqual(['v', '2:1,254', 21.5, 1234, 1.7e9, true]);
    expect(calls.filter((c) => c[0] !== '__h_io' || c[1] === 'w').map((c) => c.join(' '))).toEqual([
      '__h_sread k', '__h_swrite k x', '__h_serase k', '__h_hmac \x01 \x02\x03', '__h_log warn careful', '__h_log debug d',
      '__h_io w D2 true', '__h_now', '__h_time',
    ]);
    expect(calls.find((c) => c[0] === '__h_io' && c[1] === 's')).toEqual(['__h_io', 's', 'temp']);
  });

  it('serial bytes go to __serialRx when one is set, and nowhere otherwise', async () => {
    const { h, out, errors } = await shimmed();
    h.call('__ev', 's', 0, 'OK\r\n');
    h.eval('__serialRx = function (d) { __out(d); };');
    h.call('__ev', 's', 0, 'READY\r\n');
    expect(out).toEqual(['READY\r\n']);
    expect(errors).toEqual([]);
  });

  it('__u8 and __str turn byte strings and bytes into each other', async () => {
    const { h, out } = await shimmed();
    h.eval('var s = ""; for (var i = 0; i < 256; i++) s += String.fromCharCode(i); var u = __u8(s); __out(u.length); __out(u[255]); __out(__str(u) === s);');
    expect(out).toEqual([256, 255, true]);
  });
});
