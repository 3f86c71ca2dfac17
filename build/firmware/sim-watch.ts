// Watches a simulated device's MQTT conversation at its transport, on the host side, so that
// `tinyiot sim` can tell whether the device ever got through: an accepted CONNACK ("connected"),
// then the first application message the server took ("message"). The firmware's log is not
// parsed: apps word it as they like. Socket errors and refused CONNACKs are kept as the reason to
// show when the device never connected.
import { delay } from '../../firmware/mqtt/backoff.js';
import { createDecoder } from '../../firmware/mqtt/codec/decode.js';
import type { Limits } from '../../firmware/mqtt/limits.js';
import type { Packet } from '../../firmware/mqtt/codec/packet.js';
import type { Dialer } from '../../hal/emulated/fake-modem.js';
import type { ConnectOptions, SocketHandlers, Transport } from '../../hal/types.js';

export const SIM_EVENTS = ['connected', 'message'] as const;
export type SimEvent = (typeof SIM_EVENTS)[number];

export interface Watch {
  /** Events seen so far. */
  seen: Partial<Record<SimEvent, true>>;
  /** Why the last failed attempt failed (socket error, refused CONNACK, early close). */
  problem?: string;
  attempts: number;
  /** Attempts that closed without an accepted CONNACK. */
  failures: number;
  /** Those since the last accepted CONNACK: the firmware's backoff grows with them. */
  streak: number;
}

export interface WatchHooks {
  /** Each event, the first time it happens. */
  event?(e: SimEvent): void;
  /** After each failed attempt; w.problem says why. */
  failed?(w: Watch): void;
}

const REFUSED = ['', 'unacceptable protocol version', 'identifier rejected', 'server unavailable', 'bad user name or password', 'not authorized'];
const MAX = 268435455;

/** What happens on one connection, in order: bytes either way, an error, the close. */
export interface ConnectionObserver {
  fromServer(b: Uint8Array): void;
  fromDevice(b: Uint8Array): void;
  error(msg: string): void;
  closed(reason: string): void;
}

/**
 * The watcher without a transport: connect() starts one connection's observer. Fed by
 * watchTransport for firmware whose sockets are the host's (QuickJS), and by the framed lines of
 * hal/espruino/host-watch.ts for firmware on Espruino's interpreter. A "message" is a PUBLISH to a
 * topic not starting with '$' (IoT Hub's twin and method traffic is not one): QoS 0 counts once
 * written, QoS 1 and 2 once the server acknowledged it (PUBACK, PUBREC).
 */
export function connectionWatch(hooks: WatchHooks = {}): Watch & { connect(): ConnectionObserver } {
  const w = {
    seen: {} as Watch['seen'],
    problem: undefined as string | undefined,
    attempts: 0,
    failures: 0,
    streak: 0,
    connect(): ConnectionObserver {
      w.attempts++;
      const pending: number[] = [];
      let ok = false;
      let why: string | undefined;
      const fire = (e: SimEvent) => {
        if (w.seen[e]) return;
        w.seen[e] = true;
        hooks.event?.(e);
      };
      const fromServer = createDecoder(MAX, (p: Packet) => {
        if (p.type == 2) {
          if (p.rc == 0) {
            ok = true;
            w.streak = 0;
            fire('connected');
          } else why = `the server refused the connection (CONNACK ${p.rc}: ${REFUSED[p.rc] ?? 'unknown code'})`;
        } else if ((p.type == 4 || p.type == 5) && pending.indexOf(p.id) >= 0) fire('message');
      }, () => undefined);
      const fromDevice = createDecoder(MAX, (p: Packet) => {
        if (p.type != 3 || p.topic.charAt(0) == '$') return;
        if (p.qos == 0) fire('message');
        else pending.push(p.id!);
      }, () => undefined);
      return {
        fromServer: (b) => fromServer.push(b),
        fromDevice: (b) => fromDevice.push(b),
        error: (m) => {
          why ??= m;
        },
        closed: (r) => {
          if (ok) return;
          w.failures++;
          w.streak++;
          w.problem = why ?? `the connection closed before the server accepted the device (${r})`;
          hooks.failed?.(w);
        },
      };
    },
  };
  return w;
}

/**
 * What a failed attempt means for the device, while the simulator waits: why it failed and the
 * longest the firmware's backoff (`limits`, the firmware's own) can make it wait before it dials
 * again, which grows with the failures in a row.
 */
export function failureNote(w: Watch, limits: Limits): string {
  const most = delay(w.streak - 1, limits, () => 1);
  return `attempt ${w.attempts} failed: ${w.problem}; the device tries again within ${+(most / 1000).toFixed(1)} s`;
}

/** Wraps `t` with a connectionWatch. */
export function watchTransport(t: Transport, hooks: WatchHooks = {}): Transport & Watch {
  const watch = connectionWatch(hooks);
  const observe = watch.connect;
  return Object.assign(watch, {
    connect(opts: ConnectOptions, h: SocketHandlers) {
      const ob = observe();
      const s = t.connect(opts, {
        onOpen: () => h.onOpen(),
        onData: (b) => {
          ob.fromServer(b);
          h.onData(b);
        },
        onError: (m) => {
          ob.error(m);
          h.onError(m);
        },
        onClose: (r) => {
          h.onClose(r);
          ob.closed(r);
        },
      });
      return {
        write: (b: Uint8Array) => {
          ob.fromDevice(b);
          s.write(b);
        },
        close: () => s.close(),
      };
    },
  });
}

/**
 * Wraps the dialer of a host-side FakeModem with a connectionWatch: the modem runs TLS, so a link
 * carries the plaintext MQTT of a board whose transport is its AT modem. A link ends once for the
 * watch, however it ends (the server's close, an error, the board hanging up).
 */
export function watchDialer(dial: Dialer, watch: { connect(): ConnectionObserver }): Dialer {
  const bytes = (d: string) => new Uint8Array(Buffer.from(d, 'latin1'));
  return (r, ev) => {
    const ob = watch.connect();
    let ended = false;
    const end = (why: string) => {
      if (!ended) (ended = true), ob.closed(why);
    };
    const remote = dial(r, {
      open: () => ev.open(),
      data: (d) => {
        ob.fromServer(bytes(d));
        ev.data(d);
      },
      error: (m) => {
        ob.error(m);
        ev.error(m);
        end(m);
      },
      close: () => {
        ev.close();
        end('closed by the server');
      },
    });
    return {
      write: (d) => {
        ob.fromDevice(bytes(d));
        remote.write(d);
      },
      end: () => {
        remote.end();
        end('closed by the device');
      },
    };
  };
}
