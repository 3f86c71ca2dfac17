// Joining a WiFi network with Espruino's Wifi module (ESP32, ESP8266), with retries on the HAL
// clock. cb() gets undefined once joined, or why the last try failed; messages never hold the
// password. Espruino calls connect's callback with an error only for a bad password: a missing AP
// or a DHCP failure just makes it retry inside, without a callback, so each try has a deadline.
import type { Clock } from '../types.js';

export interface JoinOptions {
  /** Tries before giving up (default 5). */
  tries?: number;
  /** Deadline of one try in ms (default 20000; ESP8266 AT firmware allows 15 s for CWJAP). */
  ms?: number;
  /** Pause between tries in ms (default 5000). */
  pause?: number;
}

export type JoinCb = (err?: string) => void;

/** Runs go(done) until done() has no error or the tries run out; a try's late result is ignored. */
export function retry(ck: Clock, o: JoinOptions | undefined, go: (done: JoinCb, ms: number) => void, cb: JoinCb): void {
  const ms = (o && o.ms) || 20000;
  const n = (o && o.tries) || 5;
  let k = 0;
  const one = () => {
    let over = 0;
    go((e) => {
      if (over) return;
      over = 1;
      if (!e) cb();
      else if (++k < n) ck.setTimer((o && o.pause) || 5000, one);
      else cb(e);
    }, ms);
  };
  one();
}

export const check = (ssid: string, pwd: string) => {
  if (/[\r\n]/.test(ssid + pwd)) throw new Error('wifi: SSID and password cannot hold CR or LF');
};

export function wifiJoin(W: any, ck: Clock, ssid: string, pwd: string, cb: JoinCb, o?: JoinOptions): void {
  check(ssid, pwd);
  retry(
    ck,
    o,
    (done, ms) => {
      const t = ck.setTimer(ms, () => done('wifi: no connection after ' + ms + ' ms'));
      W.connect(ssid, { password: pwd }, (e: any) => {
        ck.clearTimer(t);
        done(e ? 'wifi: ' + e : undefined);
      });
    },
    cb,
  );
}
