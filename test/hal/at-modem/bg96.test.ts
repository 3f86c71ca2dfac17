// The at-modem transport with the BG96 profile, against FakeModem in virtual time.
import { describe, expect, it } from 'vitest';
import { echoDialer, memoryDialer } from '../../../hal/emulated/fake-modem-dial.js';
import { bytes, recorder } from '../../../hal/emulated/fake-modem-rig.js';
import type { DialRequest, Dialer } from '../../../hal/emulated/fake-modem.js';
import { captive, noise, virtualRig } from '../../support/atModem.js';

const TLS = { host: 'hub.example', port: 8883, tls: true };
const CA = '-----BEGIN CERTIFICATE-----\nMIIB...CA...\n-----END CERTIFICATE-----\n';

const rig = (o: Parameters<typeof virtualRig>[1] = {}, dial?: Dialer) => virtualRig('bg96', o, dial);

describe('at-modem transport, BG96 profile', () => {
  it('uploads the CA, asks for TLS 1.2 with server verification, and echoes bytes', () => {
    const p = captive();
    const t = rig({}, p.dial);
    const r = recorder();
    const s = t.transport.connect({ ...TLS, ca: CA }, r);
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
    expect(t.modem.commands).toEqual([
      'ATE0',
      'AT+QSSLCFG="sslversion",0,3',
      'AT+QSSLCFG="seclevel",0,1',
      'AT+QSSLCFG="sni",0,1',
      'AT+QFDEL="cacert.pem"',
      `AT+QFUPL="cacert.pem",${CA.length},10`,
      'AT+QSSLCFG="cacert",0,"cacert.pem"',
      'AT+QSSLOPEN=1,0,0,"hub.example",8883,0',
    ]);
    expect(t.modem.files.get('cacert.pem')).toBe(CA);
    expect(p.reqs()[0]).toMatchObject({ tls: true, verify: true, ca: CA, servername: 'hub.example' });
    expect(t.log.lines.join('\n')).not.toMatch(/NOT verified/);
    s.write(bytes('ping'));
    t.clock.advance(100);
    expect(p.got()).toBe('ping');
    p.conn().write('pong');
    t.clock.advance(100);
    expect(r.received).toBe('pong');
    expect(t.modem.commands.slice(-3)).toEqual(['AT+QSSLSEND=0,4', 'AT+QSSLRECV=0,1500', 'AT+QSSLRECV=0,1500']);
    expect(t.modem.violations).toEqual([]);
  });

  it('uploads a CA once, and again only when it changes', () => {
    const t = rig();
    const uploads = () => t.modem.commands.filter((c) => c.startsWith('AT+QFUPL')).length;
    for (const ca of [CA, CA, CA + '\n', CA + '\n']) {
      const r = recorder();
      const s = t.transport.connect({ ...TLS, ca }, r);
      t.clock.advance(100);
      expect(r.events).toEqual(['open']);
      s.close();
      t.clock.advance(100);
    }
    expect(uploads()).toBe(2);
    expect(t.modem.files.get('cacert.pem')).toBe(CA + '\n');
  });

  it('without a CA uses seclevel 0 and says plainly the server is not verified', () => {
    const t = rig();
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
    expect(t.modem.commands).toContain('AT+QSSLCFG="seclevel",0,0');
    expect(t.modem.commands.some((c) => c.startsWith('AT+QFUPL'))).toBe(false);
    expect(t.log.lines).toContain('warn: at-modem: TLS server certificate is NOT verified (no CA given)');
  });

  it('with a CA and a client certificate uploads all three and uses seclevel 2', () => {
    let req: DialRequest | undefined;
    const t = rig({}, (q, ev) => {
      req = q;
      return echoDialer()(q, ev);
    });
    const r = recorder();
    t.transport.connect({ ...TLS, ca: CA, cert: 'CERT', key: 'KEY' }, r);
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
    expect(t.modem.commands).toContain('AT+QSSLCFG="seclevel",0,2');
    expect(t.modem.commands).toContain('AT+QSSLCFG="clientkey",0,"clientkey.pem"');
    expect(req).toMatchObject({ verify: true, ca: CA, cert: 'CERT', key: 'KEY' });
    expect(t.log.lines.join('\n')).not.toContain('KEY');
  });

  for (const [split, merge, seed] of [
    [1, false, 1],
    [5, true, 2],
    [300, false, 3],
  ] as const) {
    it(`moves 10 KB each way intact (reads of 1..${split} bytes, merge ${merge})`, () => {
      const p = captive();
      const t = rig({ split, merge, seed }, p.dial);
      const r = recorder();
      const s = t.transport.connect({ ...TLS, ca: CA }, r);
      t.clock.advance(100);
      const up = noise(10_240, seed) + '\r\nOK\r\n+QSSLRECV: 5\r\n> ';
      const down = noise(10_240, seed + 3) + '\r\n+QSSLURC: "recv",0\r\nOK\r\nRDY\r\n';
      s.write(bytes(up));
      for (let i = 0; i < down.length; i += 1000) p.conn().write(down.slice(i, i + 1000));
      t.clock.advance(3000);
      expect(p.got()).toBe(up);
      expect(r.received).toBe(down);
      expect(t.modem.commands.filter((c) => c.startsWith('AT+QSSLSEND')).length).toBe(Math.ceil(up.length / 1460));
      expect(r.events).toEqual(['open']);
      expect(t.modem.violations).toEqual([]);
    });
  }

  it('delivers what the peer sent before it closed, then onClose; frees the connection id', () => {
    const p = captive();
    const t = rig({ split: 4 }, p.dial);
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(100);
    p.conn().write('last words');
    p.conn().end();
    t.clock.advance(100);
    expect(r.received).toBe('last words');
    expect(r.events).toEqual(['open', 'close: closed by peer']);
    expect(t.modem.commands[t.modem.commands.length - 1]).toBe('AT+QSSLCLOSE=0');
  });

  it('reports a failed TLS open (+QSSLOPEN: 0,566) and connects again after', () => {
    let refuse = true;
    const t = rig({}, memoryDialer((c) => ({ data: (d) => c.write(d) }), () => refuse));
    const r = recorder();
    t.transport.connect({ ...TLS, ca: CA }, r);
    t.clock.advance(100);
    expect(r.events).toEqual(['error: QSSLOPEN error 566', 'close: QSSLOPEN error 566']);
    refuse = false;
    const r2 = recorder();
    t.transport.connect({ ...TLS, ca: CA }, r2);
    t.clock.advance(100);
    expect(r2.events).toEqual(['open']);
  });

  it('recovers from a connection id left open before a restart (563, then close and retry)', () => {
    const t = rig();
    t.modem.stale();
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(100);
    expect(r.events[0]).toBe('error: QSSLOPEN error 563');
    const r2 = recorder();
    t.transport.connect(TLS, r2);
    t.clock.advance(100);
    expect(r2.events).toEqual(['open']);
  });

  it('fails the connect when a required setting answers ERROR', () => {
    const t = rig();
    t.modem.failNext('AT+QSSLCFG="seclevel"');
    const r = recorder();
    t.transport.connect({ ...TLS, ca: CA }, r);
    t.clock.advance(100);
    expect(r.events[0]).toBe('error: AT+QSSLCFG="seclevel",0,1: ERROR');
    expect(t.modem.commands.some((c) => c.startsWith('AT+QSSLOPEN'))).toBe(false);
  });

  it('times out when the open result never comes', () => {
    const t = rig({ timeoutMs: 1000 });
    t.modem.muteNext('AT+QSSLOPEN');
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(7000);
    expect(r.events).toEqual([
      'error: AT+QSSLOPEN=1,0,0,"hub.example",8883,0: timeout',
      'close: AT+QSSLOPEN=1,0,0,"hub.example",8883,0: timeout',
    ]);
  });

  it('survives a reset (RDY): onError + onClose, files kept, next connect skips the upload', () => {
    const p = captive();
    const t = rig({ split: 3 }, p.dial);
    const r = recorder();
    const s = t.transport.connect({ ...TLS, ca: CA }, r);
    t.clock.advance(100);
    s.write(bytes(noise(5000, 9)));
    t.clock.advance(2);
    t.modem.reset();
    t.clock.advance(100);
    expect(r.events).toEqual(['open', 'error: modem reset', 'close: modem reset']);
    const before = t.modem.commands.length;
    const r2 = recorder();
    const s2 = t.transport.connect({ ...TLS, ca: CA }, r2);
    t.clock.advance(100);
    s2.write(bytes('again'));
    t.clock.advance(100);
    expect(r2.events).toEqual(['open']);
    expect(t.modem.commands.slice(before).some((c) => c.startsWith('AT+QFUPL'))).toBe(false);
    expect(p.got().endsWith('again')).toBe(true);
    expect(t.modem.violations).toEqual([]);
  });

  it('runs plain TCP over AT+QIOPEN / QISEND / QIRD when tls is false', () => {
    const t = rig({ split: 2 });
    const r = recorder();
    const s = t.transport.connect({ host: '10.1.2.3', port: 1883, tls: false }, r);
    t.clock.advance(100);
    s.write(bytes('plain\r\nOK\r\n'));
    t.clock.advance(100);
    expect(r.events).toEqual(['open']);
    expect(r.received).toBe('plain\r\nOK\r\n');
    expect(t.modem.commands).toEqual([
      'ATE0',
      'AT+QIOPEN=1,0,"TCP","10.1.2.3",1883,0,0',
      'AT+QISEND=0,11',
      'AT+QIRD=0,1500',
      'AT+QIRD=0,1500',
    ]);
    expect(t.modem.violations).toEqual([]);
  });

  it('closes the socket when the network drops the PDP context', () => {
    const t = rig();
    const r = recorder();
    t.transport.connect(TLS, r);
    t.clock.advance(100);
    t.modem.out('\r\n+QIURC: "pdpdeact",1\r\n');
    t.clock.advance(100);
    expect(r.events).toEqual(['open', 'close: closed by peer']);
  });
});
