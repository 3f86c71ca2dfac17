// What every board entry does once it has a HAL: fill the app config's board defaults (LED pin,
// MQTT limits), then hand over to the app. The generated entry (build/firmware/entry.ts) supplies
// `b` from the board file, the HAL's wifi() as `join` where the board can join a network, and in an
// --insecure-dev build the config through insecureDev() (only there, so elsewhere its warning is
// not in the bundle at all).
import type { Hal } from '../../hal/types.js';
import type { AppConfig } from '../apps/config.js';
import type { Limits } from '../mqtt/limits.js';

export interface BootInfo {
  /** Board id. */
  id: string;
  led: string | null;
  /** The board file's own; the client has the defaults for the rest. */
  limits?: Partial<Limits>;
}

export type AppMain = (hal: Hal, cfg: AppConfig) => void;

/**
 * Joins a WiFi network: the wifi() that hal/espruino's factories add to the HAL where the board file
 * gives them a join part (the board's Wifi module, or the modem's AT commands). The entry passes it
 * only on such boards, so elsewhere the minifier drops the whole join path.
 */
export type Join = (ssid: string, password: string, cb: (err?: string) => void) => void;

/** An --insecure-dev build: plain TCP whatever the config says, with a warning nobody can miss. */
export function insecureDev(hal: Hal, cfg: AppConfig | undefined): AppConfig {
  const c: AppConfig = cfg || {};
  c.tls = false;
  hal.log.warn('!!! INSECURE DEVELOPMENT BUILD: plain TCP, no TLS. Anyone on the network can read and change the traffic. Never use real credentials. !!!');
  return c;
}

/** cfg.wifi = {ssid, password} joins first where the board can; a failed join is logged and the app
 * starts anyway, so its MQTT client keeps retrying in case the network comes up later. */
export function start(main: AppMain, hal: Hal, cfg: AppConfig | undefined, b: BootInfo, join?: Join): void {
  const c: AppConfig = cfg || {};
  if (c.led === undefined) c.led = b.led;
  if (!c.limits) c.limits = b.limits;
  const w = c.wifi as { ssid: string; password?: string } | undefined;
  const go = () => {
    hal.log.info('tinyiot: starting on ' + b.id);
    main(hal, c);
  };
  if (join && w && w.ssid) {
    hal.log.info('tinyiot: joining WiFi ' + w.ssid);
    join(w.ssid, w.password || '', (e) => {
      if (e) hal.log.error(e);
      go();
    });
  } else go();
}
