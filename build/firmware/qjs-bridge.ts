// Connects firmware running in a QjsHost to a HAL on the host (hal/emulated: node:net/node:tls,
// real timers, storage, crypto, log, pins) and, for AT-modem boards, to a host-side serial port.
// The engine sees a small numbered API (`__h_*` functions) and gets events through one dispatcher,
// `__ev(kind, id, arg)`; the plain-ES5 code in qjs-shims.ts turns that into a HAL (`__hal`), and
// qjs-espruino.ts into Espruino's globals. Bytes cross as byte strings.
import { createHash } from 'node:crypto';
import type { Serial } from '../../hal/at-modem/serial.js';
import type { Hal, Socket, TimerId } from '../../hal/types.js';
import type { QjsHost } from './qjs-host.js';

export interface BridgeParts {
  hal: Hal;
  /** The UART of an AT modem (e.g. a FakeModem), for boards whose network runs in a modem. */
  serial?: Serial;
  /** Console output of the firmware (Espruino's print). Default: hal.log.info. */
  print?: (s: string) => void;
}

export interface Bridge {
  /** Cancels every timer and closes every socket the firmware left behind. */
  stop(): void;
  /** Sockets open now. */
  sockets(): number;
}

const str = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(String(s), 'latin1'));

/** Espruino's tls takes DER (hal/espruino converts PEM to DER); node:tls wants PEM back. */
export function pem(x: string | undefined, type: string): string | undefined {
  if (x === undefined || x.includes('-----BEGIN')) return x;
  const lines = Buffer.from(x, 'latin1').toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

export function bridge(host: QjsHost, p: BridgeParts): Bridge {
  const { hal } = p;
  const timers = new Map<number, TimerId>();
  const socks = new Map<number, Socket>();
  let stopped = false;
  const ev = (k: string, id: number, a?: string | number | boolean) => {
    if (!stopped) host.call('__ev', k, id, a);
  };

  host.expose('__h_now', () => hal.clock.now());
  host.expose('__h_time', () => hal.clock.time());
  host.expose('__h_timer', (id: number, ms: number) => {
    timers.set(id, hal.clock.setTimer(ms, () => {
      timers.delete(id);
      ev('t', id);
    }));
  });
  host.expose('__h_untimer', (id: number) => {
    const t = timers.get(id);
    if (t !== undefined) hal.clock.clearTimer(t);
    timers.delete(id);
  });
  host.expose('__h_connect', (id: number, json: string) => {
    const o = JSON.parse(json);
    const s = hal.transport.connect(
      { host: o.host, port: o.port, tls: !!o.tls, ca: pem(o.ca, 'CERTIFICATE'), cert: pem(o.cert, 'CERTIFICATE'), key: pem(o.key, 'PRIVATE KEY'), servername: o.servername },
      {
        onOpen: () => ev('o', id),
        onData: (b) => ev('d', id, str(b)),
        onError: (m) => ev('e', id, m),
        onClose: (r) => {
          socks.delete(id);
          ev('c', id, r);
        },
      },
    );
    socks.set(id, s);
  });
  host.expose('__h_write', (id: number, s: string) => socks.get(id)?.write(bytes(s)));
  host.expose('__h_close', (id: number) => socks.get(id)?.close());
  host.expose('__h_sread', (k: string) => hal.storage.read(k));
  host.expose('__h_swrite', (k: string, v: string) => hal.storage.write(k, v));
  host.expose('__h_serase', (k: string) => hal.storage.erase(k));
  host.expose('__h_hmac', (k: string, m: string) => str(hal.crypto.hmacSha256(bytes(k), bytes(m))));
  host.expose('__h_sha256', (s: string) => createHash('sha256').update(Buffer.from(s, 'latin1')).digest().toString('latin1'));
  host.expose('__h_log', (level: string, m: string) => {
    const f = (hal.log as unknown as Record<string, (m: string) => void>)[level];
    (f ?? hal.log.info)(String(m));
  });
  host.expose('__h_print', (s: string) => (p.print ?? hal.log.info)(String(s)));
  host.expose('__h_io', (op: string, pin: string, v: boolean) => {
    if (op === 'w') hal.io.write(pin, !!v);
    else if (op === 'r') return hal.io.read(pin);
    else return hal.io.sense(pin);
    return undefined;
  });
  if (p.serial) {
    const ser = p.serial;
    ser.onData((d) => ev('s', 0, d));
    host.expose('__h_ser', (s: string) => ser.write(String(s)));
  }
  return {
    stop() {
      stopped = true;
      for (const t of timers.values()) hal.clock.clearTimer(t);
      timers.clear();
      for (const s of socks.values()) s.close();
      socks.clear();
    },
    sockets: () => socks.size,
  };
}
