// TLS offload to an AT modem. On Espruino, with the modem on Serial2 (already set up):
//   const t = createAtTransport({ write: (s) => Serial2.write(s), onData: (fn) => Serial2.on('data', fn) },
//                               clock, 'esp8266');
// The modem must already be on the network (ESP8266: AT+CWJAP; BG96: PDP context 1 active).
// A board build that knows its modem can import transport.js and one profile instead, so the other
// profile is not bundled.
import type { Clock, Transport } from '../types.js';
import { bg96 } from './bg96.js';
import { esp8266 } from './esp8266.js';
import type { Serial } from './serial.js';
import { atTransport, type AtOptions } from './transport.js';

export type { Serial } from './serial.js';
export type { AtOptions, Profile } from './transport.js';
export { atTransport, esp8266, bg96 };

export function createAtTransport(
  serial: Serial,
  clock: Clock,
  profile: 'esp8266' | 'bg96',
  opts?: AtOptions,
): Transport {
  const p = profile == 'bg96' ? bg96 : profile == 'esp8266' ? esp8266 : undefined;
  if (!p) throw new Error('at-modem: unknown profile "' + profile + '" (esp8266 or bg96)');
  return atTransport(serial, clock, p, opts);
}
