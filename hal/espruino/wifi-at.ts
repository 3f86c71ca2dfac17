// WiFi in an AT modem (Espruino WiFi, Pico + ESP8266): Espruino's Serial adapted to
// hal/at-modem's Serial, and the join: ATE0, AT+CWMODE=1 (station), AT+CWJAP="ssid","pwd",
// through hal/at-modem's command runner, with retries on the HAL clock. The AT transport holds the
// UART's reader; a join borrows it and hands it back when done, so join while no link is up.
import { createAt } from '../at-modem/at.js';
import { createParser } from '../at-modem/parser.js';
import type { Serial } from '../at-modem/serial.js';
import type { Clock } from '../types.js';
import { check, retry, type JoinCb, type JoinOptions } from './wifi.js';

/** One reader at a time: onData replaces h. */
export interface EspruinoSerial extends Serial {
  h?: (s: string) => void;
}

export function espruinoAtSerial(port: any, baud?: number, pins?: { rx?: string; tx?: string; cts?: string }): EspruinoSerial {
  if (baud) port.setup(baud, pins);
  const s: EspruinoSerial = {
    write: (d) => port.write(d),
    onData(fn) {
      s.h = fn;
    },
  };
  port.on('data', (d: string) => s.h && s.h(d));
  return s;
}

const WHY = ['', 'timeout', 'wrong password', 'AP not found', 'connect failed'];
// AT firmware syntax: a quote, comma or backslash inside a quoted argument is escaped with "\".
// A function, not '\\$&': Espruino's replace() has no $& pattern.
const q = (s: string) => '"' + s.replace(/[\\",]/g, (c) => '\\' + c) + '"';

export function atWifiJoin(ser: EspruinoSerial, ck: Clock, ssid: string, pwd: string, cb: JoinCb, o?: JoinOptions): void {
  check(ssid, pwd);
  const prev = ser.h;
  const nop = () => {};
  // ATE0 and CWMODE answer at once; a shorter try deadline bounds them too.
  const at = createAt(ser, ck, Math.min(2000, (o && o.ms) || 2000));
  ser.onData(createParser({ line: at.line, prompt: at.prompt, data: nop }));
  retry(
    ck,
    o,
    (done, ms) => {
      at.cmd({ c: 'ATE0', cb: nop });
      at.cmd({ c: 'AT+CWMODE=1', cb: nop });
      at.cmd({
        c: 'AT+CWJAP=' + q(ssid) + ',' + q(pwd),
        t: ms,
        // e quotes the command, password included: only the modem's reason is passed on.
        cb(e, l) {
          const c = e && /\+CWJAP:(\d)/.exec(e);
          done(e && 'wifi: join failed (' + ((c && WHY[+c[1]!]) || l || 'no answer') + ')');
        },
      });
    },
    (e) => {
      ser.h = prev;
      cb(e);
    },
  );
}
