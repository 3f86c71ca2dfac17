// SAS tokens for a connection that outlives them. IoT Hub cannot take a new token on a live
// connection and closes it when the token expires, so renewal is a reconnect with a fresh password,
// `before` seconds ahead of expiry; the MQTT session (clean=0) and the client's outbox carry queued
// and in-flight messages across it. No token is minted while the clock does not know the real time:
// its expiry would be in 1970. The renewal timer runs while the device is down too, so a refused
// CONNECT (the client does not retry those) is tried again, with a fresh token, at the next renewal.
// createDevice has checked uri, key and ttl, so tokens are minted without sasToken's checks.
import type { Hal } from '../../hal/types.js';
import { sas } from './sas.js';

export const CLOCK = 'clock not set: cannot create a SAS token until the real time is known';

export interface Renewer {
  /** Mint a token now (or once the clock is set), hand it to use(), and schedule the next. */
  go(): void;
  /** After a close: renew at once if the token is due (the hub dropped us for an expired token). */
  chk(): void;
  /** No more tokens, and chk() does nothing until the next go(). */
  stop(): void;
}

export function renewer(h: Hal, uri: string, key: string, ttl: number, before: number, skn: string | undefined,
  err: (m: string) => void, use: (password: string) => void): Renewer {
  const ck = h.clock;
  let tm = 0, exp = 0, said = 0;
  // tm is a pending timer, the one now firing, or 0: never an older id, which Espruino may have
  // given to a new timer since.
  const stop = () => {
    ck.clearTimer(tm);
    tm = exp = 0;
  };
  const go = () => {
    const t = ck.time();
    stop();
    if (!t && !said++) err(CLOCK);
    tm = ck.setTimer(t ? (ttl - before) * 1000 : 1000, go);
    if (t) use(sas(h.crypto, uri, key, (exp = t + ttl), skn));
  };
  return {
    go,
    stop,
    chk() {
      if (exp && ck.time() >= exp - before) go();
    },
  };
}
