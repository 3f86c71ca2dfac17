// The simulator's network: node:net for plain TCP and node:tls as the "TLS offload" a modem or
// native stack would give a board. Certificates are always verified; there is no switch to turn
// that off. Bytes cross as plain Uint8Array copies so no Buffer leaks into firmware.
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ConnectOptions, Socket, SocketHandlers, Transport } from '../types.js';

export function nodeTransport(): Transport {
  return { connect };
}

function connect(opts: ConnectOptions, h: SocketHandlers): Socket {
  if (!opts || typeof opts.host !== 'string' || !opts.host) throw new TypeError('connect: host must be a non-empty string');
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
    throw new TypeError(`connect: port must be an integer 1..65535, got ${String(opts.port)}`);
  }
  let done = false;
  let dead = false;
  let err: string | undefined;
  const s = opts.tls ? secure(opts) : net.connect({ host: opts.host, port: opts.port });
  s.setNoDelay(true);
  s.on(opts.tls ? 'secureConnect' : 'connect', () => {
    if (!dead) h.onOpen();
  });
  s.on('data', (b: Buffer) => {
    if (!dead) h.onData(new Uint8Array(b));
  });
  s.on('error', (e: NodeJS.ErrnoException) => {
    // After our own close() the firmware has moved on; a late reset is not news to it.
    if (dead || err !== undefined) return;
    err = describe(e);
    h.onError(err);
  });
  s.on('close', () => {
    if (done) return;
    done = dead = true;
    h.onClose(err ?? 'closed');
  });
  return {
    write(bytes) {
      if (!dead) s.write(Buffer.from(bytes));
    },
    close() {
      if (dead) return;
      dead = true;
      // end() lets a final DISCONNECT reach the wire; destroy once flushed so a silent peer
      // cannot hold the socket open.
      if (s.pending || s.connecting) s.destroy();
      else s.end(() => s.destroy());
    },
  };
}

function secure(o: ConnectOptions): tls.TLSSocket {
  // An IP host is verified against the certificate's IP SANs; SNI must not carry an IP (RFC 6066),
  // and Node checks `host` when no servername is given.
  const servername = o.servername ?? (net.isIP(o.host) ? undefined : o.host);
  return tls.connect({
    host: o.host,
    port: o.port,
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    servername,
    rejectUnauthorized: true,
  });
}

function describe(e: NodeJS.ErrnoException): string {
  return e.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
}
