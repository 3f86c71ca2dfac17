// The socket rules every profile shares: one link at a time, close exactly once, writes after
// close do nothing, connect never throws, a reset or an unanswered command ends the socket and
// leaves the transport usable. Run against both fake modems in virtual time.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { memoryDialer, type PeerConn } from '../../../hal/emulated/fake-modem-dial.js';
import { atRig, bytes, recorder } from '../../../hal/emulated/fake-modem-rig.js';

const TLS = { host: 'h.example', port: 8883, tls: true };
const OPEN = { esp8266: 'AT+CIPSTART', bg96: 'AT+QSSLOPEN' };
const CLOSE = { esp8266: 'AT+CIPCLOSE', bg96: 'AT+QSSLCLOSE=0' };

function rig(profile: 'esp8266' | 'bg96', split = 0) {
  const clock = new VirtualClock();
  const got: string[] = [];
  const conns: PeerConn[] = [];
  const dial = memoryDialer((c) => {
    conns.push(c);
    return { data: (d) => got.push(d) };
  });
  const r = atRig(profile, { clock, dial, split, seed: 11, timeoutMs: 1000 });
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
});
