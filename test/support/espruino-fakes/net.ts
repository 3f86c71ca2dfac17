// Espruino's "net" and "tls" modules for Node, bridged to real node:net / node:tls sockets, so an
// Espruino HAL can talk to a real broker in a test. Behaviour follows Espruino's sources
// (libs/network/socketserver.c, network.c, jswrap_net.c, socketerrors.c):
// - connect() resolves names synchronously and throws "Unable to locate host" at once when it
//   cannot; here only IP literals, "localhost" and opts.hosts resolve.
// - The connect callback and every event are queued, never run inside the call that caused them.
// - Received bytes arrive as byte strings of at most `chunk` bytes (536; 268 on the ESP8266): what
//   the peer sent in one piece is split, what arrived between two polls is merged.
// - write() takes byte strings only (a wrong HAL fails here instead of sending "[object ...]");
//   writing after the socket closed throws "This socket is closed.".
// - On close: "error" ({code, message}) if there was one, then "end", then "close"(hadError).
// - tls: ca/cert/key are DER byte strings; PEM text fails to parse, as on builds whose mbedTLS
//   lacks MBEDTLS_PEM_PARSE_C. Espruino sets MBEDTLS_SSL_VERIFY_NONE, so by default the server's
//   certificate is never checked, CA or not, and the SNI sent is "mbed TLS Server 1".
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as nodeNet from 'node:net';
import * as nodeTls from 'node:tls';
import { Emitter, needByteString } from './emitter.js';

export interface FakeNetOptions {
  /** Most bytes in one "data" event (default 536). */
  chunk?: number;
  /** Names the fake DNS knows (name -> IP); IP literals and "localhost" need no entry. */
  hosts?: Record<string, string>;
  /**
   * tls: 'never' (default) is Espruino: no verification even with a CA. 'with-ca' verifies the
   * server against the CA when one is given, as firmware with verification would.
   */
  verify?: 'never' | 'with-ca';
  /** Poll period in ms; data arriving within one period merges (default 0: next tick). */
  pollMs?: number;
  /** When set, each data event is 1..chunk bytes, drawn from this [0, 1) source. */
  random?: () => number;
}

export interface FakeNetStats {
  /** Length of every "data" event delivered, in order. */
  events: number[];
  /** Options each connect() was called with (tls fields as given). */
  connects: Record<string, unknown>[];
}

export interface EspruinoSocketError {
  code: number;
  message: string;
}

const SNI = 'mbed TLS Server 1';

function mapError(e: NodeJS.ErrnoException): EspruinoSocketError {
  const c = e.code ?? '';
  if (c === 'ECONNREFUSED' || c === 'ECONNRESET' || c === 'EPIPE') return { code: -9, message: 'connection reset' };
  if (c === 'ETIMEDOUT') return { code: -3, message: 'timeout' };
  if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH') return { code: -4, message: 'no route' };
  if (/SSL|TLS|CERT|SELF_SIGNED|VERIFY|ALTNAME/i.test(c + e.message)) return { code: -13, message: 'SSL handshake failed' };
  return { code: -10, message: 'unknown error' };
}

export class FakeSocket extends Emitter {
  private rx = '';
  private polling = false;
  private ended = false; // end() called
  private gone = false; // node socket closed
  private done = false; // close emitted
  private err: EspruinoSocketError | undefined;

  constructor(
    private readonly s: nodeNet.Socket,
    private readonly o: FakeNetOptions,
    private readonly stats: FakeNetStats,
  ) {
    super();
    s.on('data', (b: Buffer) => {
      this.rx += b.toString('latin1');
      this.poll();
    });
    s.on('error', (e) => (this.err ??= mapError(e)));
    s.on('close', () => {
      this.gone = true;
      this.poll();
    });
  }

  /** True once "close" was emitted. */
  get closed(): boolean {
    return this.done;
  }

  write(d: unknown): boolean {
    if (this.ended || this.gone) throw new Error('This socket is closed.');
    needByteString(d, 'socket.write');
    this.s.write(Buffer.from(d, 'latin1'));
    return false;
  }

  end(d?: unknown): void {
    if (d !== undefined) this.write(d);
    if (this.ended) return;
    this.ended = true;
    if (this.s.connecting) this.s.destroy();
    else this.s.end(() => this.s.destroy());
  }

  private poll(): void {
    if (this.polling || this.done) return;
    this.polling = true;
    const step = () => {
      this.polling = false;
      if (this.rx) {
        const max = this.o.chunk ?? 536;
        const n = this.o.random ? 1 + Math.floor(this.o.random() * max) : max;
        const part = this.rx.slice(0, n);
        this.rx = this.rx.slice(part.length);
        this.stats.events.push(part.length);
        this.emit('data', part);
        this.poll();
      } else if (this.gone) {
        this.done = true;
        if (this.err) this.emit('error', this.err);
        this.emit('end');
        this.emit('close', !!this.err);
      }
    };
    if (this.o.pollMs) setTimeout(step, this.o.pollMs);
    else setImmediate(step);
  }
}

function resolve(host: unknown, o: FakeNetOptions): string {
  if (typeof host !== 'string' || !host) throw new TypeError('connect: options.host must be a string');
  if (nodeNet.isIP(host)) return host;
  if (host === 'localhost') return '127.0.0.1';
  const ip = o.hosts?.[host];
  if (!ip) throw new Error('Unable to locate host');
  return ip;
}

function pem(der: Buffer, label: string): string {
  const b = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b}-----END ${label}-----\n`;
}

/** A certificate option as mbedTLS without PEM support parses it: DER bytes or an exception. */
function certOpt(v: unknown, field: string): string {
  needByteString(v, `tls.connect ${field}`);
  const der = Buffer.from(v, 'latin1');
  try {
    new X509Certificate(der);
    if (v.includes('-----BEGIN')) throw new Error('PEM');
  } catch {
    throw new Error(`HTTPS init failed! mbedtls_x509_crt_parse of '${field}': Invalid format`);
  }
  return pem(der, 'CERTIFICATE');
}

function keyOpt(v: unknown): string {
  needByteString(v, 'tls.connect key');
  const der = Buffer.from(v, 'latin1');
  for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type }).export({ format: 'pem', type: 'pkcs8' }) as string;
    } catch {
      // try the next encoding
    }
  }
  throw new Error('HTTPS init failed! mbedtls_pk_parse_key: Invalid format');
}

export function fakeNet(o: FakeNetOptions = {}) {
  const stats: FakeNetStats = { events: [], connects: [] };
  const open = (opts: any, cb: unknown, secure: boolean): FakeSocket => {
    if (!opts || typeof opts !== 'object') throw new Error(`Expecting Options to be an Object but it was ${typeof opts}`);
    if (cb !== undefined && typeof cb !== 'function') throw new Error('Expecting Callback Function');
    stats.connects.push({ ...opts, secure });
    const host = resolve(opts.host, o);
    const port = Number(opts.port) || (secure ? 443 : 80);
    let s: nodeNet.Socket;
    if (secure) {
      const ca = opts.ca !== undefined ? certOpt(opts.ca, 'ca') : undefined;
      const cert = opts.cert !== undefined ? certOpt(opts.cert, 'cert') : undefined;
      const key = opts.key !== undefined ? keyOpt(opts.key) : undefined;
      const verify = o.verify === 'with-ca' && ca !== undefined;
      s = nodeTls.connect({
        host,
        port,
        ca,
        cert,
        key,
        rejectUnauthorized: verify,
        servername: verify ? (nodeNet.isIP(opts.host) ? undefined : opts.host) : SNI,
      });
    } else s = nodeNet.connect({ host, port });
    s.setNoDelay(true);
    const k = new FakeSocket(s, o, stats);
    if (cb) k.on('connect', cb as (x: FakeSocket) => void);
    s.on(secure ? 'secureConnect' : 'connect', () => k.emit('connect', k));
    return k;
  };
  return {
    stats,
    net: { connect: (opts: unknown, cb?: unknown) => open(opts, cb, false) },
    tls: { connect: (opts: unknown, cb?: unknown) => open(opts, cb, true) },
  };
}
