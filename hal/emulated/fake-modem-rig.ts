// An AT-modem board in a box: the board-side transport (hal/at-modem) wired to a FakeModem, plus a
// recorder of socket events. For tests and for running firmware in the simulator "behind a modem".
import { atTransport, bg96, esp8266, type AtOptions } from '../at-modem/index.js';
import type { SocketHandlers, Transport } from '../types.js';
import { fakeBg96 } from './fake-modem-bg96.js';
import { fakeEsp8266 } from './fake-modem-esp8266.js';
import type { FakeModem, FakeModemOptions } from './fake-modem.js';

export interface AtRig {
  modem: FakeModem;
  transport: Transport;
}

export function atRig(profile: 'esp8266' | 'bg96', opts: FakeModemOptions & AtOptions): AtRig {
  const modem = profile === 'bg96' ? fakeBg96(opts) : fakeEsp8266(opts);
  const transport = atTransport(modem, opts.clock, profile === 'bg96' ? bg96 : esp8266, opts);
  return { modem, transport };
}

/** Socket handlers that keep what happened, in order. */
export interface Recorder extends SocketHandlers {
  /** "open", "error: <msg>", "close: <reason>" */
  events: string[];
  /** Every byte received, as one byte string. */
  received: string;
}

export function recorder(): Recorder {
  const r: Recorder = {
    events: [],
    received: '',
    onOpen: () => r.events.push('open'),
    onData: (b) => {
      r.received += Buffer.from(b).toString('latin1');
    },
    onClose: (why) => r.events.push('close: ' + why),
    onError: (msg) => r.events.push('error: ' + msg),
  };
  return r;
}

/** Byte string <-> bytes, for tests that think in strings. */
export const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
