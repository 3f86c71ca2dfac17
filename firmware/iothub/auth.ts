// SAS tokens for a connection that outlives them. IoT Hub cannot take a new token on a live
// connection and closes it when the token expires, so renewal is a reconnect with a fresh password,
// renewBefore seconds ahead of expiry; the MQTT session (clean=0) and the client's outbox carry
// queued and in-flight messages across it. The client reads its password at each dial (token), so
// every dial carries a token minted then, with its whole lifetime ahead; a refused CONNECT (a key
// being rotated, a clock set wrong) is tried again by the client, after its backoff, with a fresh
// token. No token is minted while the clock does not know the real time: its expiry would be in
// 1970. The renewal timer runs while the device is down too. It counts monotonic time while the
// token's expiry is wall-clock time, so after every close the token is checked against the wall
// clock (onClose): a clock that jumped into the renewBefore window, or past the expiry, makes the
// device dial again at once.
// createDevice has checked the resource, key and lifetimes, so tokens are minted without
// sasToken's checks.
import type { DeviceState } from './ctx.js';
import { sas } from './sas.js';

export const CLOCK = 'clock not set: cannot create a SAS token until the real time is known';

/** What renewal reads, writes and calls: a device has it all. */
export type Renewal = Pick<DeviceState, 'hal_' | 'client_' | 'emit_' | 'renewToken_' | 'stopRenewal_' | 'sasResource_' | 'sasKey_' |
  'sasPolicy_' | 'tokenTtl_' | 'renewBefore_' | 'renewTimer_' | 'tokenExpiry_' | 'clockWarned_'>;

/** The client's password, read at each dial: a token minted now. */
export function token(this: Renewal): string {
  const dev = this;
  return sas(dev.hal_.crypto, dev.sasResource_, dev.sasKey_!, (dev.tokenExpiry_ = dev.hal_.clock.time() + dev.tokenTtl_), dev.sasPolicy_);
}

/**
 * (Re)connects the client, which mints a token as it dials, and schedules the next renewal: a dial
 * after this one (a refusal's retry, a reconnect) mints later, so its token is renewed early, never
 * late. While the clock does not know the time, says so once and looks again every second.
 */
export function renewToken(this: Renewal): void {
  const dev = this, clock = dev.hal_.clock, now = clock.time();
  dev.stopRenewal_();
  if (!now && !dev.clockWarned_) {
    dev.clockWarned_ = 1;
    dev.emit_('error', CLOCK);
  }
  dev.renewTimer_ = clock.setTimer(now ? (dev.tokenTtl_ - dev.renewBefore_) * 1000 : 1000, dev.renewToken_.bind(dev));
  if (now) dev.client_.connect();
}

/**
 * The client's close listener: renews at once when the token is due by the wall clock (the hub
 * dropped us for an expired token, or the clock jumped), then tells the app.
 */
export function onClose(this: Renewal, reason: string): void {
  const dev = this;
  if (dev.tokenExpiry_ && dev.hal_.clock.time() >= dev.tokenExpiry_ - dev.renewBefore_) dev.renewToken_();
  dev.emit_('close', reason);
}

/** No more tokens, and a close renews nothing until the next renewToken. */
export function stopRenewal(this: Renewal): void {
  this.hal_.clock.clearTimer(this.renewTimer_);
  this.renewTimer_ = this.tokenExpiry_ = 0;
}
