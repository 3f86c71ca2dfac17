import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espruinoTransport, pemToDer } from '../../../hal/espruino/transport.js';
import type { ConnectOptions, Socket } from '../../../hal/types.js';
import { arrayLog } from '../../../hal/emulated/log.js';
import { makePki, type Pki } from '../../support/certs.js';
import { Emitter, fakeEspruino, type FakeEspruinoOptions } from '../../support/espruino-fakes/index.js';
import { freePort } from '../../support/ports.js';
import { until } from '../../support/wait.js';

interface Probe {
  events: string[];
  bytes: Buffer;
  socket: Socket;
  closed(): boolean;
}

function rig(o: FakeEspruinoOptions = {}) {
  const b = fakeEspruino(o);
  const log = arrayLog();
  const t = espruinoTransport(b.env, log);
  const dial = (opts: Partial<ConnectOptions>): Probe => {
    const p: Probe = { events: [], bytes: Buffer.alloc(0), socket: undefined as unknown as Socket, closed: () => p.events.some((e) => e.startsWith('close')) };
    p.socket = t.connect({ host: '127.0.0.1', port: 1, tls: false, ...opts }, {
      onOpen: () => p.events.push('open'),
      onData: (d) => {
        expect(d).toBeInstanceOf(Uint8Array);
        p.bytes = Buffer.concat([p.bytes, d]);
      },
      onError: (m) => p.events.push(`error ${m}`),
      onClose: (r) => p.events.push(`close ${r}`),
    });
    return p;
  };
  return { b, log, dial };
}

const servers: net.Server[] = [];
async function listen(s: net.Server): Promise<number> {
  servers.push(s);
  const port = await freePort();
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
  return port;
}
afterAll(() => servers.forEach((s) => s.close()));

let pki: Pki;
let echo: number;
beforeAll(async () => {
  pki = await makePki();
  echo = await listen(net.createServer((s) => s.pipe(s)));
});
afterAll(() => pki?.cleanup());

describe('espruinoTransport over plain TCP', () => {
  it('opens, echoes bytes and closes with one onClose', async () => {
    const { dial } = rig();
    const p = dial({ port: echo });
    expect(p.events).toEqual([]); // nothing happens inside connect()
    await until(() => p.events.includes('open'), 'open');
    p.socket.write(Uint8Array.from([0, 1, 2, 255, 128, 10, 13]));
    await until(() => p.bytes.length === 7, 'echo');
    expect([...p.bytes]).toEqual([0, 1, 2, 255, 128, 10, 13]);
    p.socket.close();
    await until(p.closed, 'close');
    p.socket.close();
    p.socket.write(Uint8Array.of(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(p.events).toEqual(['open', 'close closed']);
  });

  it('carries 100 KB both ways intact, received in events of at most 536 bytes', async () => {
    const { b, dial } = rig();
    const p = dial({ port: echo });
    await until(() => p.events.includes('open'), 'open');
    const body = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7 + (i >> 9)) & 0xff);
    p.socket.write(body);
    await until(() => p.bytes.length === body.length, '100 KB echoed');
    expect(p.bytes.equals(Buffer.from(body))).toBe(true);
    expect(Math.max(...b.net.events)).toBeLessThanOrEqual(536);
    expect(b.net.events.length).toBeGreaterThanOrEqual(Math.ceil(body.length / 536));
    p.socket.close();
  });

  it('turns a connect that throws at once (unknown host) into onError + onClose later', async () => {
    const { dial } = rig();
    const p = dial({ host: 'no-such-host.invalid', port: echo });
    expect(p.events).toEqual([]);
    await until(p.closed, 'close');
    expect(p.events).toEqual(['error Unable to locate host', 'close Unable to locate host']);
    expect(() => p.socket.write(Uint8Array.of(1))).not.toThrow();
    expect(() => p.socket.close()).not.toThrow();
  });

  it('reports a refused port as an error then a close', async () => {
    const { dial } = rig();
    const port = await freePort();
    const p = dial({ port });
    await until(p.closed, 'close');
    expect(p.events).toEqual(['error connection reset', 'close connection reset']);
  });

  it('does not throw when writing to a socket the peer has just closed', async () => {
    const { dial } = rig();
    const port = await listen(net.createServer((s) => s.end()));
    const p = dial({ port });
    await until(p.closed, 'close');
    expect(() => p.socket.write(Uint8Array.of(1, 2, 3))).not.toThrow();
    expect(p.events.at(-1)).toMatch(/^close /);
  });

  it('close() before the connection is up still ends in exactly one onClose', async () => {
    const { dial } = rig();
    const p = dial({ port: echo });
    p.socket.close();
    await until(p.closed, 'close');
    await new Promise((r) => setTimeout(r, 20));
    expect(p.events.filter((e) => e.startsWith('close'))).toEqual(['close closed']);
    expect(p.events).not.toContain('open');
  });
});

describe('espruinoTransport over TLS', () => {
  let mtls: number;
  beforeAll(async () => {
    // The server demands a client certificate signed by the test CA: only a correct cert + key pass.
    mtls = await listen(
      tls.createServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, (s) =>
        s.pipe(s),
      ),
    );
  });
  const tlsOpts = () => ({ port: mtls, tls: true, ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });

  it('hands PEM certificates to Espruino as DER and connects with a client certificate', async () => {
    const { b, dial } = rig();
    const p = dial(tlsOpts());
    await until(() => p.events.includes('open'), 'TLS open');
    p.socket.write(new TextEncoder().encode('over tls'));
    await until(() => p.bytes.length === 8, 'echo');
    expect(p.bytes.toString()).toBe('over tls');
    const c = b.net.connects[0]!;
    expect(c.ca).toBe(new X509Certificate(pki.ca.cert).raw.toString('latin1'));
    expect(c.cert).toBe(new X509Certificate(pki.client.cert).raw.toString('latin1'));
    expect(String(c.key)).not.toContain('-----');
    p.socket.close();
  });

  it('says once that Espruino does not verify the server certificate', async () => {
    const { log, dial } = rig();
    const a = dial(tlsOpts());
    const c = dial({ ...tlsOpts(), ca: undefined });
    await until(() => a.events.includes('open') && c.events.includes('open'), 'both open');
    expect(log.lines.filter((l) => /does not verify/.test(l))).toHaveLength(1);
    expect(log.lines[0]).toMatch(/^warn: /);
    a.socket.close();
    c.socket.close();
  });

  it('connects to a server whose certificate the CA did not sign: Espruino never verifies', async () => {
    const { dial } = rig();
    const p = dial({ ...tlsOpts(), ca: pki.otherCa.cert });
    await until(() => p.events.includes('open'), 'open despite the wrong CA');
    p.socket.close();
  });

  it('with a verifying firmware, the wrong CA ends in onError + onClose', async () => {
    const { dial } = rig({ net: { verify: 'with-ca' } });
    const p = dial({ ...tlsOpts(), ca: pki.otherCa.cert });
    await until(p.closed, 'close');
    expect(p.events).toEqual(['error SSL handshake failed', 'close SSL handshake failed']);
  });

  it('a board without the tls module gets onError + onClose, no exception', async () => {
    const { dial } = rig({ tls: false });
    const p = dial(tlsOpts());
    await until(p.closed, 'close');
    expect(p.events).toEqual(['error Module tls not found', 'close Module tls not found']);
  });

  it('a certificate that is not valid base64 fails the connect, not the caller', async () => {
    const { dial } = rig();
    const p = dial({ ...tlsOpts(), ca: '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n' });
    await until(p.closed, 'close');
    expect(p.events[0]).toMatch(/^error base64: /);
  });
});

describe('espruinoTransport and the memory mbedTLS needs', () => {
  let plainTls: number;
  let mute: number;
  beforeAll(async () => {
    plainTls = await listen(tls.createServer({ cert: pki.server.cert, key: pki.server.key }, (s) => s.pipe(s)));
    // Completes the handshake, then hangs up without a byte: how a failed handshake looks from JS.
    mute = await listen(tls.createServer({ cert: pki.server.cert, key: pki.server.key }, (s) => s.destroy()));
  });

  it('defragments the store before each TLS connect, when none of its TLS sockets is open, never for plain TCP', async () => {
    const { b, dial } = rig();
    const E = b.env.E as unknown as { defrags: number };
    const tcp = dial({ port: echo });
    expect(E.defrags).toBe(0);
    const a = dial({ port: plainTls, tls: true });
    expect(E.defrags).toBe(1);
    await until(() => a.events.includes('open'), 'a open');
    const c = dial({ port: plainTls, tls: true }); // waits for a: its mbedTLS state must not move
    expect(E.defrags).toBe(1);
    a.socket.close();
    await until(() => c.events.includes('open'), 'c open once a closed');
    expect(E.defrags).toBe(2);
    c.socket.close();
    await until(c.closed, 'c closed');
    tcp.socket.close();
  });

  it('dials one TLS socket at a time: a second waits for the first one\'s close, as a renewal reconnects', async () => {
    const { b, dial } = rig();
    const a = dial({ port: plainTls, tls: true });
    await until(() => a.events.includes('open'), 'a open');
    a.socket.write(Uint8Array.of(1)); // data still to send on the socket being closed
    a.socket.close();
    const c = dial({ port: plainTls, tls: true });
    expect(b.net.connects.length).toBe(1); // c has not dialled yet
    await until(() => c.events.includes('open'), 'c open');
    expect(a.events).toEqual(['open', 'close closed']);
    expect(b.net.connects.length).toBe(2);
    c.socket.close();
    await until(c.closed, 'c closed');
  });

  it('a waiting TLS dial closed by us ends in exactly one onClose, and never dials', async () => {
    const { b, dial } = rig();
    const a = dial({ port: plainTls, tls: true });
    const c = dial({ port: plainTls, tls: true });
    c.socket.close();
    a.socket.close();
    await until(() => a.closed() && c.closed(), 'both closed');
    expect(c.events).toEqual(['close closed']);
    expect(b.net.connects.length).toBe(1);
  });

  it('a waiting TLS dial goes ahead when the previous socket never closes', { timeout: 20_000 }, async () => {
    const { dial } = rig();
    const a = dial({ port: plainTls, tls: true });
    await until(() => a.events.includes('open'), 'a open');
    const c = dial({ port: plainTls, tls: true });
    await until(() => c.events.includes('open'), 'c open though a is still open', 15_000);
    a.socket.close();
    c.socket.close();
    await until(() => a.closed() && c.closed(), 'both closed');
  });

  it('a connect that throws leaves no TLS socket counted as open', async () => {
    const { b, dial } = rig();
    const E = b.env.E as unknown as { defrags: number };
    const p = dial({ port: plainTls, tls: true, ca: '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n' });
    await until(p.closed, 'close');
    dial({ port: plainTls, tls: true }).socket.close();
    expect(E.defrags).toBe(1); // the throw came before the defrag; the next connect defragments
  });

  it('says a TLS connection that ended before the server sent anything may be a failed handshake', async () => {
    const { dial } = rig();
    const p = dial({ port: mute, tls: true });
    await until(p.closed, 'close');
    expect(p.events.at(-1)).toBe('close closed: TLS ended before the server sent anything, as a failed handshake does (Espruino needs an RSA server certificate)');
    const q = dial({ port: await listen(net.createServer((s) => s.destroy())) });
    await until(q.closed, 'close');
    expect(q.events.at(-1)).toMatch(/^close (closed|connection reset)$/); // plain TCP: no hint
  });

  it('gives no hint once the server has sent something, nor when we closed', async () => {
    const { dial } = rig();
    const p = dial({ port: plainTls, tls: true });
    await until(() => p.events.includes('open'), 'open');
    p.socket.write(Uint8Array.of(1));
    await until(() => p.bytes.length === 1, 'echo');
    p.socket.close();
    await until(p.closed, 'close');
    expect(p.events.at(-1)).toBe('close closed');
  });
});

describe('pemToDer', () => {
  it('decodes the first certificate of a bundle', () => {
    const der = pemToDer(pki.ca.cert + pki.otherCa.cert, 'CERTIFICATE', {} as never);
    expect(Buffer.from(der, 'latin1').equals(new X509Certificate(pki.ca.cert).raw)).toBe(true);
  });

  it('finds the private key after an EC PARAMETERS block', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sec1 = privateKey.export({ format: 'pem', type: 'sec1' }) as string;
    const params = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    const der = pemToDer(params + sec1, 'PRIVATE KEY', {} as never);
    const back = createPrivateKey({ key: Buffer.from(der, 'latin1'), format: 'der', type: 'sec1' });
    expect(back.export({ format: 'jwk' })).toEqual(privateKey.export({ format: 'jwk' }));
  });

  it('passes DER through unchanged', () => {
    const raw = new X509Certificate(pki.ca.cert).raw.toString('latin1');
    expect(pemToDer(raw, 'CERTIFICATE', {} as never)).toBe(raw);
  });
});

describe('espruinoTransport after our own close()', () => {
  it('an error Espruino reports after close() is not passed on, and onClose comes exactly once', async () => {
    // A socket of our own making, so the test decides when Espruino's events come.
    const sock = new Emitter() as Emitter & { write(d: string): void; end(): void; ended: boolean };
    sock.ended = false;
    sock.write = () => undefined;
    sock.end = () => void (sock.ended = true);
    const b = fakeEspruino();
    const env = { ...b.env, require: (m: string) => (m === 'net' ? { connect: (_o: unknown, cb: () => void) => (setImmediate(() => cb.call(sock)), sock) } : b.env.require(m)) };
    const events: string[] = [];
    const s = espruinoTransport(env, arrayLog()).connect({ host: '127.0.0.1', port: 1, tls: false }, {
      onOpen: () => events.push('open'),
      onData: () => events.push('data'),
      onError: (m) => events.push(`error ${m}`),
      onClose: (r) => events.push(`close ${r}`),
    });
    await until(() => events.includes('open'), 'open');
    s.close();
    expect(sock.ended).toBe(true);
    sock.emit('error', { code: -6, message: 'connection reset' });
    sock.emit('end');
    sock.emit('close', true);
    sock.emit('close', true);
    await until(() => events.length > 1, 'the close');
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['open', 'close closed']);
    s.close(); // closing again is harmless
    s.write(Uint8Array.of(1)); // so is writing
    expect(events).toEqual(['open', 'close closed']);
  });
});
