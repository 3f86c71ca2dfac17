import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTransport } from '../../../hal/emulated/net.js';
import type { ConnectOptions, Socket } from '../../../hal/types.js';
import { makePki, type Pki } from '../../support/certs.js';
import { freePort } from '../../support/ports.js';
import { until } from '../../support/wait.js';

interface Probe {
  events: string[];
  data: Uint8Array[];
  socket: Socket;
  closed(): boolean;
  text(): string;
}

function dial(opts: ConnectOptions): Probe {
  const events: string[] = [];
  const data: Uint8Array[] = [];
  const socket = nodeTransport().connect(opts, {
    onOpen: () => events.push('open'),
    onData: (b) => {
      data.push(b);
      events.push('data');
    },
    onClose: (r) => events.push(`close ${r}`),
    onError: (m) => events.push(`error ${m}`),
  });
  return {
    events,
    data,
    socket,
    closed: () => events.some((e) => e.startsWith('close')),
    text: () => Buffer.concat(data).toString(),
  };
}

const enc = (s: string) => new TextEncoder().encode(s);

/** An echo server that also records what each connection sent and how it ended. */
async function echoServer(server: net.Server) {
  const ended: string[] = [];
  const peers: string[] = [];
  server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', (s: net.Socket) => {
    if (s instanceof tls.TLSSocket) peers.push(String(s.getPeerCertificate().subject?.CN ?? ''));
    s.on('data', (b) => (b.toString() === 'bye' ? s.end() : s.write(b)));
    s.on('end', () => ended.push('end'));
    s.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { port, ended, peers, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let pki: Pki;
beforeAll(async () => {
  pki = await makePki();
});
afterAll(() => pki?.cleanup());

describe('nodeTransport: TCP', () => {
  it('opens, moves bytes both ways as plain Uint8Array, and closes once', async () => {
    const srv = await echoServer(net.createServer());
    const p = dial({ host: '127.0.0.1', port: srv.port, tls: false });
    await until(() => p.events.includes('open'), 'open');
    p.socket.write(enc('hello'));
    await until(() => p.text() === 'hello', 'echo');
    expect(p.data.every((b) => Object.getPrototypeOf(b) === Uint8Array.prototype)).toBe(true);
    p.socket.close();
    p.socket.close();
    p.socket.write(enc('late'));
    await until(p.closed, 'close');
    await until(() => srv.ended.length === 1, 'server sees end');
    expect(p.events.filter((e) => e.startsWith('close'))).toEqual(['close closed']);
    expect(p.text()).toBe('hello');
    await srv.close();
  });

  it('copies written bytes before they reach the kernel', async () => {
    const srv = await echoServer(net.createServer());
    const p = dial({ host: '127.0.0.1', port: srv.port, tls: false });
    await until(() => p.events.includes('open'), 'open');
    const buf = enc('abc');
    p.socket.write(buf);
    buf.fill(0x7a);
    await until(() => p.text().length >= 3, 'echo');
    expect(p.text()).toBe('abc');
    p.socket.close();
    await until(p.closed, 'close');
    await srv.close();
  });

  it('reports the far end closing', async () => {
    const srv = await echoServer(net.createServer());
    const p = dial({ host: 'localhost', port: srv.port, tls: false });
    await until(() => p.events.includes('open'), 'open');
    p.socket.write(enc('bye'));
    await until(p.closed, 'close');
    expect(p.events).toEqual(['open', 'close closed']);
    await srv.close();
  });

  it('a refused connect is onError + onClose, never a throw or an open', async () => {
    const port = await freePort();
    const p = dial({ host: '127.0.0.1', port, tls: false });
    p.socket.write(enc('x'));
    await until(p.closed, 'close');
    expect(p.events).toHaveLength(2);
    expect(p.events[0]).toMatch(/^error .*ECONNREFUSED/);
    expect(p.events[1]).toBe(p.events[0]!.replace(/^error/, 'close'));
  });

  it('a close before the connect completes still ends with one onClose', async () => {
    const srv = await echoServer(net.createServer());
    const p = dial({ host: '127.0.0.1', port: srv.port, tls: false });
    p.socket.close();
    await until(p.closed, 'close');
    expect(p.events).toEqual(['close closed']);
    await srv.close();
  });

  it('bad arguments are programmer errors and throw at once', () => {
    const h = { onOpen() {}, onData() {}, onClose() {}, onError() {} };
    expect(() => nodeTransport().connect({ host: '', port: 1, tls: false }, h)).toThrow(/host/);
    expect(() => nodeTransport().connect({ host: 'h', port: 70000, tls: false }, h)).toThrow(/port/);
  });
});

describe('nodeTransport: TLS', () => {
  const tlsServer = (extra: tls.TlsOptions = {}) =>
    echoServer(tls.createServer({ cert: pki.server.cert, key: pki.server.key, ...extra }));

  it('verifies the server against the given CA by IP SAN and by host name', async () => {
    const srv = await tlsServer();
    for (const host of ['127.0.0.1', 'localhost']) {
      const p = dial({ host, port: srv.port, tls: true, ca: pki.ca.cert });
      await until(() => p.events.includes('open'), `open via ${host}`);
      p.socket.write(enc('secret'));
      await until(() => p.text() === 'secret', 'echo');
      p.socket.close();
      await until(p.closed, 'close');
      expect(p.events.at(-1)).toBe('close closed');
    }
    await srv.close();
  });

  it('rejects a server signed by another CA, naming the certificate problem', async () => {
    const srv = await tlsServer();
    const p = dial({ host: '127.0.0.1', port: srv.port, tls: true, ca: pki.otherCa.cert });
    await until(p.closed, 'close');
    expect(p.events).not.toContain('open');
    expect(p.events[0]).toMatch(/^error .*(unable to (get local issuer|verify)|self[- ]signed)/i);
    await srv.close();
  });

  it('rejects when no CA is given (the system roots do not know ours)', async () => {
    const srv = await tlsServer();
    const p = dial({ host: '127.0.0.1', port: srv.port, tls: true });
    await until(p.closed, 'close');
    expect(p.events).not.toContain('open');
    expect(p.events[0]).toMatch(/^error .*(issuer|verify|self[- ]signed)/i);
    await srv.close();
  });

  it('rejects a certificate that does not name the host asked for', async () => {
    const srv = await tlsServer();
    const p = dial({ host: '127.0.0.1', port: srv.port, tls: true, ca: pki.ca.cert, servername: 'broker.example.com' });
    await until(p.closed, 'close');
    expect(p.events).not.toContain('open');
    expect(p.events[0]).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID.*broker\.example\.com/);
    await srv.close();
  });

  it('presents a client certificate when given one', async () => {
    const srv = await tlsServer({ requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert });
    const p = dial({ host: '127.0.0.1', port: srv.port, tls: true, ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
    await until(() => p.events.includes('open'), 'open');
    p.socket.write(enc('x'));
    await until(() => p.text() === 'x', 'echo');
    expect(srv.peers).toEqual(['tinyiot-test-client']);
    p.socket.close();
    await until(p.closed, 'close');

    const anon = dial({ host: '127.0.0.1', port: srv.port, tls: true, ca: pki.ca.cert });
    anon.socket.write(enc('x'));
    await until(anon.closed, 'close without client cert');
    expect(anon.text()).toBe('');
    await srv.close();
  });
});
