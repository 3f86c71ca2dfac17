// The at-modem transport with the ESP8266 profile, against FakeModem in virtual time.
import { describe, expect, it } from 'vitest';
import { echoDialer, memoryDialer } from '../../../hal/emulated/fake-modem-dial.js';
import { bytes, recorder } from '../../../hal/emulated/fake-modem-rig.js';
import type { DialRequest, Dialer } from '../../../hal/emulated/fake-modem.js';
import { captive, noise, virtualRig } from '../../support/atModem.js';

const TLS = { host: 'broker.example', port: 8883, tls: true };

const rig = (o: Parameters<typeof virtualRig>[1] = {}, dial?: Dialer) => virtualRig('esp8266', o, dial);

describe('at-modem transport, ESP8266 profile', () => {
  it('opens a TLS link in single-connection mode and echoes bytes both ways', () => {
    const t = rig();
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
    expect(t.modem.commands).toEqual([
      'ATE0',
      'AT+CIPMUX=0',
      'AT+CIPSSLSIZE=4096',
      'AT+CIPSSLCCONF=0',
      'AT+CIPSSLCSNI="broker.example"',
      'AT+CIPSTART="SSL","broker.example",8883',
    ]);
    expect(t.log.lines).toContain('warn: at-modem: TLS server certificate is NOT verified (no CA given)');
    s.write(bytes('hello'));
    t.clock.advance(100);
    expect(r.received).toBe('hello');
    expect(t.modem.commands.slice(-1)).toEqual(['AT+CIPSEND=5']);
    expect(t.modem.violations).toEqual([]);
  });

  it('asks the module to verify the server when a CA is given, and says which CA it uses', () => {
    let req: DialRequest | undefined;
    const t = rig({ flash: { ca: 'FLASHED CA' } }, (q, ev) => {
      req = q;
      return echoDialer()(q, ev);
    });
    const r = recorder();
    t.transport.connect({ ...TLS, ca: 'GIVEN CA', servername: 'sni.example' }, r);
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
    expect(t.modem.commands).toContain('AT+CIPSSLCCONF=2');
    expect(t.modem.commands).toContain('AT+CIPSSLCSNI="sni.example"');
    expect(req).toMatchObject({ tls: true, verify: true, ca: 'FLASHED CA', servername: 'sni.example' });
    expect(t.log.lines.join('\n')).toMatch(/flashed in the module/);
    expect(t.log.lines.join('\n')).not.toMatch(/NOT verified/);
  });

  it('uses plain TCP without any TLS setup when tls is false', () => {
    const t = rig();
    const r = recorder();
    t.transport.connect({ host: '10.0.0.1', port: 1883, tls: false }, r);
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
    expect(t.modem.commands).toEqual(['ATE0', 'AT+CIPMUX=0', 'AT+CIPSTART="TCP","10.0.0.1",1883']);
  });

  for (const [split, merge, seed] of [
    [1, false, 1],
    [7, true, 2],
    [64, false, 3],
    [700, true, 4],
  ] as const) {
    it(`moves 10 KB each way intact (reads of 1..${split} bytes, merge ${merge})`, () => {
      const p = captive();
      const t = rig({ split, merge, seed, ipdMax: 1460 }, p.dial);
      const r = recorder();
      const s = t.transport.connect(TLS, r);
      t.clock.advance(100);
      const up = noise(10_240, seed) + '\r\nOK\r\n+IPD,4:SEND OK\r\n> ';
      const down = noise(10_240, seed + 9) + '\r\nSEND OK\r\n+IPD,9:\r\nready\r\n';
      s.write(bytes(up));
      p.conn().write(down);
      t.clock.advance(2000);
      expect(p.got()).toBe(up);
      expect(r.received).toBe(down);
      // 2048 bytes per CIPSEND, one at a time
      expect(t.modem.commands.filter((c) => c.startsWith('AT+CIPSEND='))).toEqual([
        ...Array(5).fill('AT+CIPSEND=2048'),
        'AT+CIPSEND=' + (up.length - 5 * 2048),
      ]);
      expect(r.events).toEqual(['open']);
      expect(t.modem.violations).toEqual([]);
    });
  }

  it('takes data arriving in the middle of a send (+IPD between prompt and SEND OK)', () => {
    const t = rig({ split: 3, seed: 5 });
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    for (let i = 0; i < 20; i++) s.write(bytes(`msg ${i};`));
    t.clock.advance(1000);
    expect(r.received).toBe(Array.from({ length: 20 }, (_, i) => `msg ${i};`).join(''));
    expect(t.modem.violations).toEqual([]);
  });

  it('retries a command answered "busy p..."', () => {
    const t = rig();
    t.modem.busyNext('AT+CIPSTART', 2);
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(2000);
    expect(r.events).toEqual(['open']);
    expect(t.modem.commands.filter((c) => c.startsWith('AT+CIPSTART')).length).toBe(3);
    expect(t.modem.violations).toEqual([]);
  });

  it('fails the connect with onError + onClose when CIPSTART answers ERROR, and connects again after', () => {
    const t = rig();
    t.modem.failNext('AT+CIPSTART');
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(100);
    expect(r.events).toEqual([
      'error: AT+CIPSTART="SSL","broker.example",8883: ERROR',
      'close: AT+CIPSTART="SSL","broker.example",8883: ERROR',
    ]);
    const r2 = recorder();
    t.transport.connect(TLS, r2);
    t.clock.advance(100);
    expect(r2.events).toEqual(['open']);
    expect(t.modem.violations).toEqual([]);
  });

  it('reports a refused connection (ERROR + CLOSED)', () => {
    const t = rig({}, memoryDialer(() => {}, () => true));
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(100);
    expect(r.events.length).toBe(2);
    expect(r.events[0]).toMatch(/^error: AT\+CIPSTART.*ERROR$/);
    expect(r.events[1]).toMatch(/^close: /);
  });

  it('fails a required verification setting instead of connecting unverified', () => {
    const t = rig({ flash: { ca: 'CA' } });
    t.modem.failNext('AT+CIPSSLCCONF');
    const r = recorder();
    t.transport.connect({ ...TLS, ca: 'CA' }, r);
    t.clock.advance(100);
    expect(r.events[0]).toBe('error: AT+CIPSSLCCONF=2: ERROR');
    expect(t.modem.commands.some((c) => c.startsWith('AT+CIPSTART'))).toBe(false);
  });

  it('carries on when old firmware lacks an optional command', () => {
    const t = rig();
    t.modem.failNext('AT+CIPSSLCSNI');
    t.modem.failNext('AT+CIPSSLSIZE');
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
  });

  it('times out an unanswered CIPSTART: onError + onClose, then works again', () => {
    const t = rig({ timeoutMs: 1000 });
    t.modem.muteNext('AT+CIPSTART');
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(5900);
    expect(r.events).toEqual([]);
    t.clock.advance(200);
    expect(r.events).toEqual([
      'error: AT+CIPSTART="SSL","broker.example",8883: timeout',
      'close: AT+CIPSTART="SSL","broker.example",8883: timeout',
    ]);
    const r2 = recorder();
    const s2 = t.transport.connect(TLS, r2);
    t.clock.advance(100);
    s2.write(bytes('again'));
    t.clock.advance(100);
    expect(r2.events).toEqual(['open']);
    expect(r2.received).toBe('again');
    expect(t.modem.violations).toEqual([]);
  });

  it('times out an unanswered send and closes the socket', () => {
    const t = rig({ timeoutMs: 1000 });
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    t.modem.muteNext('AT+CIPSEND');
    s.write(bytes('lost'));
    t.clock.advance(1100);
    expect(r.events).toEqual(['open', 'error: AT+CIPSEND=4: timeout', 'close: AT+CIPSEND=4: timeout']);
    expect(t.modem.commands[t.modem.commands.length - 1]).toBe('AT+CIPCLOSE');
  });

  it('survives a modem reset mid-session: onError("modem reset") + onClose, pending sends dropped', () => {
    const p = captive();
    const t = rig({ split: 5 }, p.dial);
    const r = recorder();
    const s = t.transport.connect(TLS, r);
    t.clock.advance(100);
    s.write(bytes(noise(8000, 1))); // four CIPSENDs queued
    t.clock.advance(3);
    t.modem.reset();
    t.clock.advance(100);
    expect(r.events).toEqual(['open', 'error: modem reset', 'close: modem reset']);
    expect(p.got().length).toBeLessThan(8000);
    s.write(bytes('after')); // a dead socket ignores writes
    t.clock.advance(100);
    const before = t.modem.commands.length;
    const r2 = recorder();
    const s2 = t.transport.connect(TLS, r2);
    t.clock.advance(100);
    expect(t.modem.commands.slice(before, before + 2)).toEqual(['ATE0', 'AT+CIPMUX=0']);
    s2.write(bytes('fresh'));
    t.clock.advance(100);
    expect(r2.events).toEqual(['open']);
    expect(p.got().endsWith('fresh')).toBe(true);
    expect(p.got()).not.toContain('after');
    expect(t.modem.violations).toEqual([]);
  });

  it('closes a stale link it finds ("ALREADY CONNECTED") and connects', () => {
    const t = rig();
    t.modem.stale();
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
    const cmds = t.modem.commands;
    expect(cmds.slice(cmds.indexOf('AT+CIPCLOSE') - 1)).toEqual([
      'AT+CIPSTART="SSL","broker.example",8883',
      'AT+CIPCLOSE',
      'AT+CIPSTART="SSL","broker.example",8883',
    ]);
  });

  it('reports the peer closing, after the data it sent', () => {
    const p = captive();
    const t = rig({ split: 2 }, p.dial);
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(100);
    p.conn().write('bye');
    p.conn().end();
    t.clock.advance(100);
    expect(r.received).toBe('bye');
    expect(r.events).toEqual(['open', 'close: closed by peer']);
  });
});
