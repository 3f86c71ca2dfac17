// The socket rules every profile shares: one link at a time, close exactly once, writes after
// close do nothing, connect never throws, a reset or an unanswered command ends the socket and
// leaves the transport usable. Run against both fake modems in virtual time.
import { describe, expect, it } from 'vitest';
import type { AtOptions } from '../../../hal/at-modem/transport.js';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { memoryDialer, type PeerConn } from '../../../hal/emulated/fake-modem-dial.js';
import { atRig, bytes, recorder } from '../../../hal/emulated/fake-modem-rig.js';

const TLS = { host: 'h.example', port: 8883, tls: true };
const OPEN = { esp8266: 'AT+CIPSTART', bg96: 'AT+QSSLOPEN' };
const CLOSE = { esp8266: 'AT+CIPCLOSE', bg96: 'AT+QSSLCLOSE=0' };
const SEND = { esp8266: /^AT\+CIPSEND=(\d+)$/, bg96: /^AT\+QSSLSEND=0,(\d+)$/ };
const MAX = { esp8266: 2048, bg96: 1460 };

function rig(profile: 'esp8266' | 'bg96', split = 0, o: AtOptions = {}) {
  const clock = new VirtualClock();
  const got: string[] = [];
  const conns: PeerConn[] = [];
  const dial = memoryDialer((c) => {
    conns.push(c);
    return { data: (d) => got.push(d) };
  });
  const r = atRig(profile, { clock, dial, split, seed: 11, timeoutMs: 1000, ...o });
  return { ...r, clock, got: () => got.join(''), conn: () => conns[conns.length - 1]!, conns };
}

describe.each(['esp8266', 'bg96'] as const)('at-modem transport rules (%s)', (profile) => {
  it('closes on request exactly once, frees the link, and ignores later writes', () => {
    const t = rig(profile);
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    s.close();
    s.close();
    s.write(bytes('late'));
    t.clock.advance(100);
    expect(r.events).toEqual(['open', 'close: closed']);
    expect(t.modem.commands[t.modem.commands.length - 1]).toBe(CLOSE[profile]);
    expect(t.got()).toBe('');
    expect(t.modem.violations).toEqual([]);
  });

  it('sends writes made before the link is open once it is', () => {
    const t = rig(profile);
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    s.write(bytes('early'));
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
    expect(t.got()).toBe('early');
  });

  it('drops writes queued for a connect that fails', () => {
    const t = rig(profile);
    t.modem.failNext(OPEN[profile]);
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    s.write(bytes('never'));
    t.clock.advance(100);
    expect(r.events.map((e) => e.split(':')[0])).toEqual(['error', 'close']);
    expect(t.modem.commands.some((c) => /SEND/.test(c))).toBe(false);
  });

  it('closes the old socket when a new connect replaces it (the modem holds one link)', () => {
    const t = rig(profile);
    const r1 = recorder();
    t.transport.connect(TLS, r1);
    t.clock.advance(100);
    const r2 = recorder();
    const s2 = t.transport.connect(TLS, r2);
    t.clock.advance(100);
    s2.write(bytes('second'));
    t.clock.advance(100);
    expect(r1.events).toEqual(['open', 'close: replaced by a new connection']);
    expect(r2.events).toEqual(['open']);
    expect(t.conns.length).toBe(2);
    expect(t.got()).toBe('second');
    expect(t.modem.violations).toEqual([]);
  });

  it('never throws on a host that would break the command line; fails on a timer instead', () => {
    const t = rig(profile);
    const r = recorder();
    const s = t.transport.connect({ host: 'evil"\r\nAT+RST', port: 1, tls: true }, r);
    expect(r.events).toEqual([]);
    s.write(bytes('x'));
    t.clock.advance(10);
    expect(r.events).toEqual(['error: bad host name', 'close: bad host name']);
    expect(t.modem.commands).toEqual([]);
  });

  // Each character alone, in the host and in the TLS server name: a CR or an LF by itself ends
  // the AT command as surely as a quote does (AT command injection).
  it.each([
    ['a quote', { host: 'evil"x' }],
    ['a lone CR', { host: 'evil\rAT+RST' }],
    ['a lone LF', { host: 'evil\nAT+RST' }],
    ['a CR in the server name', { host: 'h.example', servername: 'evil\rAT+RST' }],
    ['an LF in the server name', { host: 'h.example', servername: 'evil\nAT+RST' }],
  ])('refuses a host name with %s before any command', (_what, names) => {
    const t = rig(profile);
    const r = recorder();
    t.transport.connect({ port: 1, tls: true, ...names }, r);
    t.clock.advance(10);
    expect(r.events).toEqual(['error: bad host name', 'close: bad host name']);
    expect(t.modem.commands).toEqual([]);
  });

  it('ends the socket on a modem reset mid-transfer and connects again afterwards', () => {
    const t = rig(profile, 6);
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    s.write(bytes('y'.repeat(7000)));
    t.conn().write('z'.repeat(3000));
    t.clock.advance(4);
    t.modem.reset();
    t.clock.advance(100);
    expect(r.events).toEqual(['open', 'error: modem reset', 'close: modem reset']);
    expect(t.got().length).toBeLessThan(7000);
    const r2 = recorder();
    const s2 = t.transport.connect(TLS, r2);
    t.clock.advance(100);
    s2.write(bytes('fresh'));
    t.conn().write('hi');
    t.clock.advance(100);
    expect(r2.events).toEqual(['open']);
    expect(r2.received).toBe('hi');
    expect(t.got().endsWith('fresh')).toBe(true);
    expect(t.modem.violations).toEqual([]);
  });

  it('ends the socket when a command gets no answer, then works again', () => {
    const t = rig(profile);
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    t.modem.muteNext(profile === 'bg96' ? 'AT+QSSLSEND' : 'AT+CIPSEND');
    s.write(bytes('lost'));
    t.clock.advance(999);
    expect(r.events).toEqual(['open']);
    t.clock.advance(10);
    expect(r.events.slice(1).map((e) => e.replace(/:.*: /, ': '))).toEqual(['error: timeout', 'close: timeout']);
    const r2 = recorder();
    const s2 = t.transport.connect(TLS, r2);
    t.clock.advance(100);
    s2.write(bytes('ok'));
    t.clock.advance(100);
    expect(r2.events).toEqual(['open']);
    expect(t.got()).toBe('ok');
    expect(t.modem.violations).toEqual([]);
  });

  it('sends the writes made while a send runs together, in order, in one send command', () => {
    const t = rig(profile);
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    const n = t.modem.commands.length;
    let all = '';
    for (let i = 0; i < 50; i++) {
      all += 'packet ' + i + ';';
      s.write(bytes('packet ' + i + ';'));
    }
    t.clock.advance(100);
    expect(t.got()).toBe(all);
    // The first write starts a send at once; the 49 made while it runs wait and go in the next one.
    const sizes = t.modem.commands.slice(n).map((c) => +SEND[profile].exec(c)![1]!);
    expect(sizes).toEqual([9, all.length - 9]);
    expect(t.modem.violations).toEqual([]);
  });

  it('cuts what waits into sends the modem takes', () => {
    const t = rig(profile, 0, { maxQueued: 100000 });
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    const n = t.modem.commands.length;
    s.write(bytes('a'));
    s.write(bytes('b'.repeat(5000)));
    t.clock.advance(500);
    expect(t.got()).toBe('a' + 'b'.repeat(5000));
    const sizes = t.modem.commands.slice(n).map((c) => +SEND[profile].exec(c)![1]!);
    expect(sizes.slice(0, 2)).toEqual([1, MAX[profile]]);
    expect(Math.max(...sizes)).toBe(MAX[profile]);
    expect(sizes.reduce((a, b) => a + b)).toBe(5001);
    expect(t.modem.violations).toEqual([]);
  });

  it('keeps at most maxQueued bytes waiting: past that the socket ends with an error, after write returns', () => {
    const t = rig(profile, 0, { maxQueued: 100 });
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    s.write(bytes('a'.repeat(60))); // in a send at once: not waiting
    s.write(bytes('b'.repeat(60)));
    s.write(bytes('c'.repeat(40))); // 100 waiting: at the bound, still taken
    t.clock.advance(100);
    expect(t.got()).toBe('a'.repeat(60) + 'b'.repeat(60) + 'c'.repeat(40));
    expect(r.events).toEqual(['open']);

    s.write(bytes('d'.repeat(60)));
    s.write(bytes('e'.repeat(60)));
    s.write(bytes('f'.repeat(41))); // would make 101 wait
    expect(r.events).toEqual(['open']); // the writer is not re-entered
    s.write(bytes('g'));
    t.clock.advance(100);
    const why = 'at-modem: send buffer full';
    expect(r.events).toEqual(['open', 'error: ' + why, 'close: ' + why]);
    // The send already running finishes; what waited is dropped and the link is closed.
    expect(t.got()).toBe('a'.repeat(60) + 'b'.repeat(60) + 'c'.repeat(40) + 'd'.repeat(60));
    expect(t.modem.commands[t.modem.commands.length - 1]).toBe(CLOSE[profile]);
    expect(t.modem.violations).toEqual([]);
  });

  it('takes one write bigger than maxQueued when nothing waits', () => {
    const t = rig(profile, 0, { maxQueued: 100 });
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    s.write(bytes('x'.repeat(3000)));
    t.clock.advance(500);
    expect(r.events).toEqual(['open']);
    expect(t.got()).toBe('x'.repeat(3000));
  });
});
