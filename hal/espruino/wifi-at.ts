// WiFi in an AT modem (Espruino WiFi, Pico + ESP8266): Espruino's Serial adapted to
// hal/at-modem's Serial, and the join: ATE0, AT+CWMODE=1 (station), AT+CWJAP="ssid","pwd",
// through hal/at-modem's command runner, with retries on the HAL clock. The AT transport holds the
// UART's reader; a join borrows it and hands it back when done, so join while no link is up.
import { AtRunner, type AtCommand } from '../at-modem/at.js';
import { parseModemOutput } from '../at-modem/parser.js';
import type { Serial } from '../at-modem/serial.js';
import type { Clock } from '../types.js';
import { check, retry, type JoinCb, type JoinOptions } from './wifi.js';

/** One reader at a time: onData replaces reader_. */
export interface EspruinoSerial extends Serial {
  port_: any;
  reader_?: (s: string) => void;
}

// Made once at load: a serial holds its port and reader, and these find them through `this`.
function writeToPort(this: EspruinoSerial, d: string) {
  this.port_.write(d);
}

function setReader(this: EspruinoSerial, fn: (s: string) => void) {
  this.reader_ = fn;
}

export function espruinoAtSerial(port: any, baud?: number, pins?: { rx?: string; tx?: string; cts?: string }): EspruinoSerial {
  if (baud) port.setup(baud, pins);
  const s: EspruinoSerial = { port_: port, write: writeToPort, onData: setReader };
  port.on('data', (d: string) => s.reader_ && s.reader_(d));
  return s;
}

const WHY = ['', 'timeout', 'wrong password', 'AP not found', 'connect failed'];
// AT firmware syntax: a quote, comma or backslash inside a quoted argument is escaped with "\".
// A function, not '\\$&': Espruino's replace() has no $& pattern.
const quote = (s: string) => '"' + s.replace(/[\\",]/g, (c) => '\\' + c) + '"';

export function atWifiJoin(ser: EspruinoSerial, ck: Clock, ssid: string, pwd: string, cb: JoinCb, o?: JoinOptions): void {
  check(ssid, pwd);
  const previous = ser.reader_;
  const join: AtCommand = { command_: 'AT+CWJAP=' + quote(ssid) + ',' + quote(pwd) };
  // The try under way; retry() ignores a try's result once it has one.
  let done: JoinCb;
  // ATE0 and CWMODE answer at once; a shorter try deadline bounds them too.
  const runner = new AtRunner(ser, ck, Math.min(2000, (o && o.ms) || 2000), {
    commandDone_(command, error, line) {
      if (command != join) return;
      // error quotes the command, password included: only the modem's reason is passed on.
      const reason = error && /\+CWJAP:(\d)/.exec(error);
      done(error && 'wifi: join failed (' + ((reason && WHY[+reason[1]!]) || line || 'no answer') + ')');
    },
  });
  parseModemOutput(ser, runner);
  retry(
    ck,
    o,
    (tryDone, ms) => {
      done = tryDone;
      join.timeoutMs_ = ms;
      runner.run_({ command_: 'ATE0' });
      runner.run_({ command_: 'AT+CWMODE=1' });
      runner.run_(join);
    },
    (e) => {
      ser.reader_ = previous;
      cb(e);
    },
  );
}
