// Watches a simulated device's MQTT conversation at its transport, on the host side, so that
// `tinyiot sim` can tell whether the device ever got through: an accepted CONNACK ("connected"),
// then the first application message the server took ("message"). The firmware's log is not
// parsed: apps word it as they like. Socket errors and refused CONNACKs are kept as the reason to
// show when the device never connected.
import { createDecoder } from '../../firmware/mqtt/codec/decode.js';
import type { Packet } from '../../firmware/mqtt/codec/packet.js';
import type { Transport } from '../../hal/types.js';

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
}

export interface WatchHooks {
  /** Each event, the first time it happens. */
  event?(e: SimEvent): void;
  /** After each failed attempt; w.problem says why. */
  failed?(): void;
}

const REFUSED = ['', 'unacceptable protocol version', 'identifier rejected', 'server unavailable', 'bad user name or password', 'not authorized'];
const MAX = 268435455;

/**
 * Wraps `t`. A "message" is a PUBLISH to a topic not starting with '$' (IoT Hub's twin and method
 * traffic is not one): QoS 0 counts once written, QoS 1 and 2 once the server acknowledged it
 * (PUBACK, PUBREC).
 */
export function watchTransport(t: Transport, hooks: WatchHooks = {}): Transport & Watch {
  const w: Transport & Watch = {
    seen: {},
    attempts: 0,
    failures: 0,
    connect(opts, h) {
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
            fire('connected');
          } else why = `the server refused the connection (CONNACK ${p.rc}: ${REFUSED[p.rc] ?? 'unknown code'})`;
        } else if ((p.type == 4 || p.type == 5) && pending.indexOf(p.id) >= 0) fire('message');
      }, () => undefined);
      const fromDevice = createDecoder(MAX, (p: Packet) => {
        if (p.type != 3 || p.topic.charAt(0) == '$') return;
        if (p.qos == 0) fire('message');
        else pending.push(p.id!);
      }, () => undefined);
      const s = t.connect(opts, {
        onOpen: () => h.onOpen(),
        onData: (b) => {
          fromServer.push(b);
          h.onData(b);
        },
        onError: (m) => {
          why ??= m;
          h.onError(m);
        },
        onClose: (r) => {
          if (!ok) {
            w.failures++;
            w.problem = why ?? `the connection closed before the server accepted the device (${r})`;
          }
          h.onClose(r);
          if (!ok) hooks.failed?.();
        },
      });
      return {
        write: (b) => {
          fromDevice.push(b);
          s.write(b);
        },
        close: () => s.close(),
      };
    },
  };
  return w;
}
