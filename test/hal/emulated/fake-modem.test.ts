// FakeModem on its own, driven by hand from the board's side: it must answer like the modems'
// manuals say and refuse what a real modem would choke on, or a wrong transport could pass its tests.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { fakeBg96 } from '../../../hal/emulated/fake-modem-bg96.js';
import { echoDialer, memoryDialer, type PeerConn } from '../../../hal/emulated/fake-modem-dial.js';
import { fakeEsp8266 } from '../../../hal/emulated/fake-modem-esp8266.js';
import type { FakeModem, FakeModemOptions } from '../../../hal/emulated/fake-modem.js';

function host(make: (o: FakeModemOptions) => FakeModem, o: Partial<FakeModemOptions> = {}) {
  const clock = new VirtualClock();
  const conns: PeerConn[] = [];
  const got: string[] = [];
  const dial = memoryDialer((c) => {
    conns.push(c);
    return { data: (d) => got.push(d) };
  });
  const modem = make({ clock, dial, ...o });
  const reads: string[] = [];
  modem.onData((s) => reads.push(s));
  let seen = 0;
  /** Everything the modem said since the last call. */
  const said = () => {
    clock.advance(10);
    const s = reads.slice(seen).join('');
    seen = reads.length;
    return s;
  };
  const cmd = (c: string) => {
    modem.write(c + '\r\n');
    return said();
  };
  return { clock, modem, reads, said, cmd, conn: () => conns[conns.length - 1]!, peerGot: () => got.join('') };
}

describe('FakeModem, ESP8266 command set', () => {
  it('echoes commands after power-up until ATE0', () => {
    const h = host(fakeEsp8266);
    expect(h.cmd('AT')).toBe('AT\r\r\n\r\nOK\r\n');
    expect(h.cmd('ATE0')).toBe('ATE0\r\r\n\r\nOK\r\n');
    expect(h.cmd('AT')).toBe('\r\nOK\r\n');
  });

  it('connects, takes exactly <len> bytes after the prompt, and frames what comes back in +IPD', () => {
    const h = host(fakeEsp8266, { ipdMax: 4 });
    h.cmd('ATE0');
    expect(h.cmd('AT+CIPSTART="SSL","example.org",443')).toBe('CONNECT\r\n\r\nOK\r\n');
    expect(h.conn().req).toMatchObject({ host: 'example.org', port: 443, tls: true, verify: false });
    expect(h.cmd('AT+CIPSEND=5')).toBe('\r\nOK\r\n> ');
    h.modem.write('he');
    h.modem.write('llo');
    expect(h.said()).toBe('\r\n\r\nRecv 5 bytes\r\n\r\nSEND OK\r\n');
    expect(h.peerGot()).toBe('hello');
    h.conn().write('0123456789');
    expect(h.said()).toBe('\r\n+IPD,4:0123\r\n+IPD,4:4567\r\n+IPD,2:89');
    h.conn().end();
    expect(h.said()).toBe('\r\nCLOSED\r\n');
    expect(h.modem.violations).toEqual([]);
  });

  it('records a payload sent before the prompt, and answers busy', () => {
    const h = host(fakeEsp8266);
    h.cmd('ATE0');
    h.cmd('AT+CIPSTART="TCP","a",1');
    h.modem.write('AT+CIPSEND=3\r\nabc');
    expect(h.modem.violations).toEqual(['input while busy: "abc"']);
    expect(h.said()).toContain('busy p...');
  });

  it('treats bytes past <len> as the next command, and a wrong one as a violation', () => {
    const h = host(fakeEsp8266);
    h.cmd('ATE0');
    h.cmd('AT+CIPSTART="TCP","a",1');
    h.cmd('AT+CIPSEND=2');
    h.modem.write('abXY\r\n');
    h.said();
    expect(h.peerGot()).toBe('ab');
    expect(h.modem.violations.length).toBe(1);
  });

  it('refuses sends over 2048 bytes and unknown commands, recording both', () => {
    const h = host(fakeEsp8266);
    h.cmd('ATE0');
    h.cmd('AT+CIPSTART="TCP","a",1');
    expect(h.cmd('AT+CIPSEND=2049')).toBe('\r\nERROR\r\n');
    expect(h.cmd('AT+FOO')).toBe('\r\nERROR\r\n');
    expect(h.modem.violations).toEqual(['CIPSEND length 2049 outside 1..2048', 'unknown command: AT+FOO']);
  });

  it('says ALREADY CONNECTED for a second CIPSTART and "link is not valid" without a link', () => {
    const h = host(fakeEsp8266);
    h.cmd('ATE0');
    expect(h.cmd('AT+CIPSEND=1')).toBe('\r\nlink is not valid\r\nERROR\r\n');
    h.cmd('AT+CIPSTART="TCP","a",1');
    expect(h.cmd('AT+CIPSTART="TCP","a",1')).toBe('\r\nALREADY CONNECTED\r\nERROR\r\n');
    expect(h.cmd('AT+CIPCLOSE')).toBe('CLOSED\r\n\r\nOK\r\n');
  });

  it('reports a refused connection as ERROR then CLOSED', () => {
    const clock = new VirtualClock();
    const m = fakeEsp8266({ clock, dial: memoryDialer(() => {}, () => true) });
    const out: string[] = [];
    m.onData((s) => out.push(s));
    m.write('AT+CIPSTART="TCP","a",1\r\n');
    clock.advance(10);
    expect(out.join('')).toBe('AT+CIPSTART="TCP","a",1\r\r\n\r\nERROR\r\nCLOSED\r\n');
  });

  it('passes the flashed CA and the SNI to the dialer when told to verify', () => {
    const h = host(fakeEsp8266, { flash: { ca: 'CA', cert: 'C', key: 'K' } });
    h.cmd('AT+CIPSSLCCONF=3');
    h.cmd('AT+CIPSSLCSNI="name.example"');
    h.cmd('AT+CIPSTART="SSL","1.2.3.4",8883');
    expect(h.conn().req).toEqual({
      host: '1.2.3.4',
      port: 8883,
      tls: true,
      verify: true,
      ca: 'CA',
      cert: 'C',
      key: 'K',
      servername: 'name.example',
    });
  });

  it('knobs: busy, ERROR and silence for the next matching command', () => {
    const h = host(fakeEsp8266);
    h.cmd('ATE0');
    h.modem.busyNext('AT+CIPMUX');
    h.modem.failNext('AT+CIPSSLSIZE');
    h.modem.muteNext('AT+CIPSSLCCONF');
    expect(h.cmd('AT+CIPMUX=0')).toBe('\r\nbusy p...\r\n');
    expect(h.cmd('AT+CIPMUX=0')).toBe('\r\nOK\r\n');
    expect(h.cmd('AT+CIPSSLSIZE=4096')).toBe('\r\nERROR\r\n');
    expect(h.cmd('AT+CIPSSLCCONF=0')).toBe('');
    expect(h.cmd('AT+CIPSSLCCONF=0')).toBe('\r\nOK\r\n');
    expect(h.modem.violations).toEqual([]);
  });

  it('reset drops the link, restores echo and prints the boot banner ending in "ready"', () => {
    const h = host(fakeEsp8266);
    h.cmd('ATE0');
    h.cmd('AT+CIPSTART="TCP","a",1');
    h.modem.reset();
    expect(h.said()).toMatch(/\r\nready\r\n$/);
    h.conn().write('late');
    expect(h.said()).toBe('');
    expect(h.cmd('AT+CIPSEND=1')).toBe('AT+CIPSEND=1\r\r\n\r\nlink is not valid\r\nERROR\r\n');
  });
});

describe('FakeModem output shaping', () => {
  it('cuts deliveries into seeded random reads no longer than split, the same for the same seed', () => {
    const run = (seed: number) => {
      const h = host(fakeEsp8266, { split: 4, seed });
      h.cmd('ATE0');
      h.cmd('AT+CIPSTART="TCP","a",1');
      h.conn().write('x'.repeat(200));
      h.said();
      return h.reads;
    };
    const a = run(1);
    expect(a.every((r) => r.length >= 1 && r.length <= 4)).toBe(true);
    expect(a.length).toBeGreaterThan(50);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
  });

  it('merges everything queued by delivery time into one read when asked', () => {
    const h = host(fakeEsp8266, { merge: true });
    h.cmd('ATE0');
    h.cmd('AT+CIPSTART="TCP","a",1');
    const before = h.reads.length;
    h.conn().write('a');
    h.conn().write('b');
    h.conn().end();
    h.said();
    expect(h.reads.slice(before)).toEqual(['\r\n+IPD,1:a\r\n+IPD,1:b\r\nCLOSED\r\n']);
  });
});

describe('FakeModem, BG96 command set', () => {
  it('raises the recv URC once, until a read finds the buffer empty', () => {
    const h = host(fakeBg96);
    h.cmd('ATE0');
    expect(h.cmd('AT+QSSLOPEN=1,0,0,"a",1,0')).toBe('\r\nOK\r\n\r\n+QSSLOPEN: 0,0\r\n');
    h.conn().write('abc');
    h.conn().write('def');
    expect(h.said()).toBe('\r\n+QSSLURC: "recv",0\r\n');
    expect(h.cmd('AT+QSSLRECV=0,4')).toBe('\r\n+QSSLRECV: 4\r\nabcd\r\n\r\nOK\r\n');
    h.conn().write('g');
    expect(h.said()).toBe(''); // not read empty yet: no new URC
    expect(h.cmd('AT+QSSLRECV=0,1500')).toBe('\r\n+QSSLRECV: 3\r\nefg\r\n\r\nOK\r\n');
    expect(h.cmd('AT+QSSLRECV=0,1500')).toBe('\r\n+QSSLRECV: 0\r\n\r\n\r\nOK\r\n');
    h.conn().write('h');
    expect(h.said()).toBe('\r\n+QSSLURC: "recv",0\r\n');
  });

  it('keeps received data readable after the peer closed, until QSSLCLOSE', () => {
    const h = host(fakeBg96);
    h.cmd('ATE0');
    h.cmd('AT+QSSLOPEN=1,0,0,"a",1,0');
    h.conn().write('bye');
    h.conn().end();
    expect(h.said()).toBe('\r\n+QSSLURC: "recv",0\r\n\r\n+QSSLURC: "closed",0\r\n');
    expect(h.cmd('AT+QSSLSEND=0,1')).toBe('\r\nERROR\r\n');
    expect(h.cmd('AT+QSSLRECV=0,10')).toBe('\r\n+QSSLRECV: 3\r\nbye\r\n\r\nOK\r\n');
    expect(h.cmd('AT+QSSLCLOSE=0')).toBe('\r\nOK\r\n');
    expect(h.cmd('AT+QSSLRECV=0,10')).toBe('\r\nERROR\r\n');
  });

  it('uploads with QFUPL (CONNECT, exact size, checksum), refuses to overwrite, deletes with QFDEL; files survive a reset', () => {
    const h = host(fakeBg96);
    h.cmd('ATE0');
    expect(h.cmd('AT+QFDEL="ca.pem"')).toBe('\r\n+CME ERROR: 405\r\n');
    expect(h.cmd('AT+QFUPL="ca.pem",3,10')).toBe('\r\nCONNECT\r\n');
    h.modem.write('\x01\x02\x03');
    expect(h.said()).toBe('\r\n+QFUPL: 3,202\r\n\r\nOK\r\n'); // 0x0102 ^ 0x0300
    expect(h.modem.files.get('ca.pem')).toBe('\x01\x02\x03');
    expect(h.cmd('AT+QFUPL="ca.pem",3,10')).toBe('\r\n+CME ERROR: 407\r\n');
    expect(h.cmd('AT+QFDEL="ca.pem"')).toBe('\r\nOK\r\n');
    expect(h.modem.files.size).toBe(0);
    h.cmd('AT+QFUPL="b.pem",1,10');
    h.modem.write('B');
    h.said();
    h.modem.reset();
    h.said();
    expect([...h.modem.files]).toEqual([['b.pem', 'B']]);
  });

  it('verifies against the uploaded CA file when seclevel is 1, and fails the open without one', () => {
    const h = host(fakeBg96);
    h.cmd('ATE0');
    h.cmd('AT+QSSLCFG="seclevel",0,1');
    h.cmd('AT+QSSLCFG="cacert",0,"cacert.pem"');
    expect(h.cmd('AT+QSSLOPEN=1,0,0,"a",1,0')).toBe('\r\nOK\r\n\r\n+QSSLOPEN: 0,566\r\n');
    h.cmd('AT+QFUPL="cacert.pem",2,10');
    h.modem.write('CA');
    h.said();
    h.cmd('AT+QSSLCFG="sni",0,1');
    expect(h.cmd('AT+QSSLOPEN=1,0,0,"a.example",1,0')).toContain('+QSSLOPEN: 0,0');
    expect(h.conn().req).toMatchObject({ verify: true, ca: 'CA', servername: 'a.example' });
  });

  it('holds sends to 1460 bytes and reads to 1500, and flags other access modes', () => {
    const h = host(fakeBg96);
    h.cmd('ATE0');
    h.cmd('AT+QSSLOPEN=1,0,0,"a",1,1');
    expect(h.cmd('AT+QSSLSEND=0,1461')).toBe('\r\nERROR\r\n');
    expect(h.cmd('AT+QSSLRECV=0,1501')).toBe('\r\nERROR\r\n');
    expect(h.modem.violations).toEqual([
      'only buffer access mode (0) is emulated',
      'send length 1461 outside 1..1460',
      'read length 1501 outside 1..1500',
    ]);
  });

  it('answers 563 when the connection id is in use', () => {
    const h = host(fakeBg96);
    h.cmd('ATE0');
    h.cmd('AT+QIOPEN=1,0,"TCP","a",1,0,0');
    expect(h.cmd('AT+QIOPEN=1,0,"TCP","a",1,0,0')).toBe('\r\nOK\r\n\r\n+QIOPEN: 0,563\r\n');
  });

  it('prints RDY and the SIM status at power-up', () => {
    const h = host(fakeBg96);
    h.modem.reset();
    expect(h.said()).toMatch(/^\r\nRDY\r\n/);
  });
});

describe('echoDialer', () => {
  it('sends back what it gets', () => {
    const clock = new VirtualClock();
    const m = fakeEsp8266({ clock, dial: echoDialer() });
    const out: string[] = [];
    m.onData((s) => out.push(s));
    m.write('ATE0\r\n');
    clock.advance(5);
    m.write('AT+CIPSTART="TCP","a",1\r\n');
    clock.advance(5);
    m.write('AT+CIPSEND=2\r\n');
    clock.advance(5);
    m.write('hi');
    clock.advance(5);
    expect(out.join('')).toContain('+IPD,2:hi');
  });
});
