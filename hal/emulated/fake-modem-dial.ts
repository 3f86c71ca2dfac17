// Where FakeModem's links go: an in-memory peer played by the test, or the real network through
// node:net / node:tls (the "modem" then does real TLS, and the board only ever sees plaintext).
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { DialRequest, Dialer, Remote } from './fake-modem.js';

/** The far end of a link, as an in-memory peer sees it. Byte strings. */
export interface PeerConn {
  readonly req: DialRequest;
  write(d: string): void;
  /** Closes the link from the far end. */
  end(): void;
}

export interface PeerHandlers {
  data?(d: string): void;
  /** The modem closed the link. */
  end?(): void;
}

/**
 * Every dial reaches `serve` at once (or is refused while `refuse` says so). Events are synchronous;
 * FakeModem's own latency spaces them out.
 */
export function memoryDialer(serve: (c: PeerConn) => PeerHandlers | void, refuse?: () => boolean): Dialer {
  return (req, ev) => {
    if (refuse && refuse()) {
      ev.error('connection refused');
      return { write() {}, end() {} };
    }
    let open = true;
    let h: PeerHandlers = {};
    ev.open();
    h =
      serve({
        req,
        write: (d) => {
          if (open) ev.data(d);
        },
        end: () => {
          if (!open) return;
          open = false;
          ev.close();
        },
      }) || {};
    return {
      write: (d) => {
        if (open) h.data?.(d);
      },
      end: () => {
        if (!open) return;
        open = false;
        h.end?.();
      },
    };
  };
}

/** A peer that sends back everything it gets. */
export function echoDialer(): Dialer {
  return memoryDialer((c) => ({ data: (d) => c.write(d) }));
}

/** Real sockets; TLS verification exactly as the modem was told (verify, ca, client cert). */
export function netDialer(): Dialer {
  return (r, ev) => {
    const s: net.Socket = r.tls
      ? tls.connect({
          host: r.host,
          port: r.port,
          ca: r.ca,
          cert: r.cert,
          key: r.key,
          servername: r.servername && !net.isIP(r.servername) ? r.servername : undefined,
          rejectUnauthorized: r.verify,
        })
      : net.connect({ host: r.host, port: r.port });
    let gone = false;
    const close = () => {
      if (gone) return;
      gone = true;
      ev.close();
    };
    s.on(r.tls ? 'secureConnect' : 'connect', () => ev.open());
    s.on('data', (b: Buffer) => ev.data(b.toString('latin1')));
    s.on('error', (e) => {
      if (!gone) ev.error(e.message);
      gone = true;
    });
    s.on('close', close);
    const remote: Remote = {
      write: (d) => {
        if (!gone) s.write(Buffer.from(d, 'latin1'));
      },
      end: () => {
        gone = true;
        s.destroy();
      },
    };
    return remote;
  };
}
