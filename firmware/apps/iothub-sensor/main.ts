// Azure IoT Hub example: as soon as it is first connected, then every `interval` seconds, sends
// {"temperature": hal.io.sense('temp')} as JSON telemetry ($.ct application/json, $.ce utf-8): the
// first reading does not wait an interval (30 s by default), so a short run shows one.
// Cloud-to-device messages are logged and blink the LED. The desired property `interval` (seconds, 1..86400) is applied and reported back with the
// twin's conventions (value + ac/av/ad). Direct methods: `blink` {"times": n} answers 200 once
// blinking starts; `reboot` answers 200, then closes and reconnects the device.
// Config fields beyond AppConfig: interval, modelId, tokenTtl and renewBefore (seconds: how long each
// SAS token lives and how early it is renewed; the device layer's defaults are 3600 and 900).
//
// A board runs one app, so its state lives in module variables and its handlers are functions made
// once, at load: on Espruino a closure made inside main() would cost its blocks again, with the
// scope it keeps (docs/jsvars.md).
import type { Hal } from '../../../hal/types.js';
import { createDevice, type Device } from '../../iothub/device.js';
import type { AppConfig } from '../config.js';

// Only the LED pin is kept of the config: the rest (the connection string with its key) is
// garbage once the device has what it needs.
let hal: Hal, led: string | null | undefined, dev: Device;
/** Seconds between telemetry messages; the telemetry timer; messages sent; LED writes still to make after the next (-1: not blinking). */
let every = 30, timer = 0, seq = 0, blinks = -1;

export function main(h: Hal, c: AppConfig): void {
  hal = h;
  led = c.led;
  every = (c.interval as number) || 30;
  if (!c.connectionString) throw new Error('iothub-sensor: config needs connectionString');
  if (c.tls === false) h.log.warn('iothub-sensor: TLS is OFF (insecure development mode)');
  dev = createDevice(h, {
    connectionString: c.connectionString,
    host: c.host,
    port: c.port,
    tls: c.tls,
    ca: c.ca,
    modelId: c.modelId as string | undefined,
    tokenTtl: c.tokenTtl as number | undefined,
    renewBefore: c.renewBefore as number | undefined,
    limits: c.limits,
  });
  dev.on('connect', onConnect);
  dev.on('error', onError);
  dev.on('close', onClose);
  dev.onC2d(onC2d);
  dev.onDesired(onDesired);
  dev.onMethod('blink', onBlink);
  dev.onMethod('reboot', onReboot);
  dev.connect();
  timer = h.clock.setTimer(every * 1000, tick);
}

function tick(): void {
  if (dev.connected) send();
  timer = hal.clock.setTimer(every * 1000, tick);
}

function send(): void {
  const t = hal.io.sense('temp');
  dev.send('{"temperature":' + t + ',"seq":' + seq++ + '}', { '$.ct': 'application/json', '$.ce': 'utf-8' }, sent);
}

function sent(err?: string): void {
  if (err) hal.log.warn('telemetry: ' + err);
  else hal.log.debug('telemetry sent');
}

/** Blinks the LED n times, 200 ms on and off; a blink asked for while one runs takes its place. */
function blink(n: number): void {
  const idle = blinks < 0;
  blinks = 2 * n;
  if (idle) blinkStep();
}

function blinkStep(): void {
  if (led) hal.io.write(led, blinks % 2 == 1);
  if (blinks-- > 0) hal.clock.setTimer(200, blinkStep);
}

function onConnect(): void {
  hal.log.info('iothub-sensor: connected');
  // The first reading goes out once connected; later ones on the timer.
  if (!seq) send();
}

function onError(e: string): void {
  hal.log.warn('iothub-sensor: ' + e);
}

function onClose(reason: string): void {
  hal.log.info('iothub-sensor: closed (' + reason + ')');
}

function onC2d(body: Uint8Array): void {
  // Its first 64 bytes as characters, in one native call (a loop would run per byte; Espruino's
  // apply takes up to 256 arguments). Espruino's subarray does not stop at the array's end.
  const s = String.fromCharCode.apply(null, body.subarray(0, Math.min(body.length, 64)) as unknown as number[]);
  hal.log.info('iothub-sensor: C2D message: ' + s + (body.length > 64 ? '...' : ''));
  blink(1);
}

/** The desired `interval`, applied when it is valid and reported back either way. */
function onDesired(patch: any, version: number): void {
  const v = patch && patch.interval;
  if (v === undefined) return;
  const ok = typeof v == 'number' && v >= 1 && v <= 86400;
  if (ok) {
    every = v;
    hal.clock.clearTimer(timer);
    timer = hal.clock.setTimer(every * 1000, tick);
    hal.log.info('iothub-sensor: interval now ' + v + ' s');
  }
  dev.report({ interval: { value: ok ? v : every, ac: ok ? 200 : 400, av: version, ad: ok ? 'applied' : 'interval must be 1..86400 s' } });
}

function onBlink(payload: any, respond: (status: number, body?: any) => void): void {
  const n = (payload && payload.times) || 3;
  blink(n);
  respond(200, { blinking: n });
}

function onReboot(_payload: any, respond: (status: number, body?: any) => void): void {
  respond(200, { rebooting: true });
  hal.clock.setTimer(500, reboot);
}

function reboot(): void {
  dev.end(reconnect);
}

function reconnect(): void {
  dev.connect();
}
