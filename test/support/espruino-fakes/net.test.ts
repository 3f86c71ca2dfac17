// The fakes must be as strict as Espruino, or a HAL that passes here fails on a board.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from '../certs.js';
import { freePort } from '../ports.js';
import { until } from '../wait.js';
import { fakeNet, fakeTimers, type FakeSocket } from './index.js';

let port: number;
let server: net.Server;
const peers: net.Socket[] = [];
beforeAll(async () => {
  server = net.createServer((s) => {
    peers.push(s);
    s.on('data', (b) => {
      const cmd = b.toString('latin1');
      if (cmd.startsWith('burst')) for (let i = 0; i < 20; i++) s.write('x'.repeat(10));
      else if (cmd.startsWith('big')) s.write(Buffer.alloc(5000, 0xab));
      else if (cmd.startsWith('bye')) s.end();
    });
  });
  port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
});
afterAll(() => {
  peers.forEach((p) => p.destroy());
  server.close();
});

function open(o = {}) {
  const f = fakeNet(o);
  const ev: string[] = [];
  const data: string[] = [];
  let sock: FakeSocket | undefined;
  const s = f.net.connect({ host: '127.0.0.1', port }, (k: FakeSocket) => {
    sock = k;
    ev.push('connect');
  });
  s.on('data', (d: string) => data.push(d));
  s.on('error', (e: { code: number; message: string }) => ev.push(`error ${e.code} ${e.message}`));
  s.on('end', () => ev.push('end'));
  s.on('close', (had: boolean) => ev.push(`close ${had}`));
  return { f, s, ev, data, sock: () => sock };
}

describe('fake net', () => {
  it('queues the connect callback and hands it the socket', async () => {
    const { s, ev, sock } = open();
    expect(ev).toEqual([]);
    await until(() => ev.length === 1, 'connect');
    expect(sock()).toBe(s);
    s.end();
  });

  it('refuses anything but a byte string in write()', async () => {
    const { s, ev } = open();
    await until(() => ev.length === 1, 'connect');
    expect(() => s.write(new Uint8Array([1, 2]))).toThrow(/expected a byte string/);
    expect(() => s.write(42)).toThrow(/expected a byte string/);
    expect(() => s.write('\u20ac')).toThrow(/above 255/);
    expect(s.write('ok')).toBe(false);
    s.end();
    expect(() => s.write('late')).toThrow('This socket is closed.');
  });

  it('splits a big reception into events of at most 536 bytes', async () => {
    const { f, s, ev, data } = open();
    await until(() => ev.length === 1, 'connect');
    s.write('big');
    await until(() => data.join('').length === 5000, '5000 bytes');
    expect(Math.max(...data.map((d) => d.length))).toBe(536);
    expect(f.stats.events).toEqual(data.map((d) => d.length));
    expect(data.join('')).toBe('\xab'.repeat(5000));
    s.end();
  });

  it('merges small writes that arrive within one poll', async () => {
    const { s, ev, data } = open({ pollMs: 30 });
    await until(() => ev.length === 1, 'connect');
    s.write('burst');
    await until(() => data.join('').length === 200, '200 bytes');
    expect(data.length).toBeLessThan(20);
    s.end();
  });

  it('uses the ESP8266 chunk size when told', async () => {
    const { s, ev, data } = open({ chunk: 268 });
    await until(() => ev.length === 1, 'connect');
    s.write('big');
    await until(() => data.join('').length === 5000, '5000 bytes');
    expect(Math.max(...data.map((d) => d.length))).toBe(268);
    s.end();
  });

  it('ends with "end" then "close"(false) when the peer closes', async () => {
    const { s, ev } = open();
    await until(() => ev.length === 1, 'connect');
    s.write('bye');
    await until(() => ev.length === 3, 'close');
    expect(ev).toEqual(['connect', 'end', 'close false']);
  });

  it('reports a refused connection as error -9, end, close(true)', async () => {
    const f = fakeNet();
    const ev: string[] = [];
    const s = f.net.connect({ host: '127.0.0.1', port: await freePort() });
    s.on('error', (e: { code: number; message: string }) => ev.push(`error ${e.code} ${e.message}`));
    s.on('end', () => ev.push('end'));
    s.on('close', (had: boolean) => ev.push(`close ${had}`));
    await until(() => ev.length === 3, 'close');
    expect(ev).toEqual(['error -9 connection reset', 'end', 'close true']);
  });

  it('throws at once for a name its DNS cannot resolve, and for bad arguments', () => {
    const f = fakeNet({ hosts: { 'broker.lan': '127.0.0.1' } });
    expect(() => f.net.connect({ host: 'nowhere.invalid', port })).toThrow('Unable to locate host');
    expect(() => f.net.connect('127.0.0.1:1883')).toThrow(/Expecting Options to be an Object/);
    expect(() => f.net.connect({ host: '127.0.0.1', port }, 'nope')).toThrow(/Callback/);
    f.net.connect({ host: 'broker.lan', port }).end();
  });
});

describe('fake tls', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await makePki();
  });
  afterAll(() => pki?.cleanup());

  it('rejects PEM text, as mbedTLS without PEM parsing does', () => {
    const f = fakeNet();
    expect(() => f.tls.connect({ host: '127.0.0.1', port, ca: pki.ca.cert })).toThrow(/mbedtls_x509_crt_parse of 'ca': Invalid format/);
    expect(() => f.tls.connect({ host: '127.0.0.1', port, key: pki.client.key })).toThrow(/mbedtls_pk_parse_key: Invalid format/);
  });
});

describe('fake timers', () => {
  it('throw on an unknown id and clear everything when given none, as Espruino', async () => {
    const t = fakeTimers();
    let n = 0;
    const a = t.setTimeout(() => n++, 5);
    t.setTimeout(() => n++, 5);
    expect(typeof a).toBe('number');
    expect(() => t.clearTimeout(999)).toThrow('Unknown Timeout');
    t.clearTimeout();
    expect(t.pending()).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(n).toBe(0);
  });
});
