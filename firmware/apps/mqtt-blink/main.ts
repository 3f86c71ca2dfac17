// Plain MQTT example: every `interval` seconds publishes a counter and the LED state to
// <topic>/state; a message on <topic>/cmd toggles the LED ("on"/"off" set it) and the new state is
// published at once. Config fields beyond AppConfig: clientId, username, password, topic, interval,
// qos (of the state messages and the command subscription, default 1) and clean (default true;
// false keeps the session, so commands sent while the board is offline reach it afterwards).
import type { Hal } from '../../../hal/types.js';
import { type Client, createClient } from '../../mqtt/client.js';
import { byteStringOf } from '../../mqtt/codec/utf8.js';
import type { AppConfig } from '../config.js';

// A board runs one app, so its state lives in module variables and its handlers are functions made
// once, at load: on Espruino a closure made inside main() would cost its blocks again, with the
// scope it keeps (docs/jsvars.md). Only what the handlers use is kept of the config.
let hal: Hal, c: Client, host: string | undefined, led: string | null | undefined, base: string;
/** Milliseconds between state messages; messages sent; the LED's state; QoS of state and commands. */
let every = 10000, n = 0, on = false, qos: 0 | 1 | 2 = 1;

// Every log line and error starts with the app's name: written once.
const appName = 'mqtt-blink: ';

export function main(h: Hal, cfg: AppConfig): void {
  const tls = cfg.tls !== false;
  const id = (cfg.clientId as string) || 'tinyiot-' + Math.floor(h.random() * 1e6);
  hal = h;
  host = cfg.host;
  led = cfg.led;
  base = (cfg.topic as string) || 'tinyiot/' + id;
  every = ((cfg.interval as number) || 10) * 1000;
  qos = cfg.qos === undefined ? 1 : (cfg.qos as 0 | 1 | 2);
  if (!cfg.host) throw new Error(appName + 'config needs host');
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new Error(appName + 'qos must be 0, 1 or 2');
  if (!tls) h.log.warn(appName + 'TLS is OFF (insecure development mode)');

  c = createClient(h, {
    host: cfg.host,
    port: cfg.port || (tls ? 8883 : 1883),
    tls,
    ca: cfg.ca,
    clientId: id,
    username: cfg.username as string | undefined,
    password: cfg.password as string | undefined,
    clean: cfg.clean !== false,
    limits: cfg.limits,
  });
  c.on('connect', onConnect);
  c.on('message', onMessage);
  c.on('error', onError);
  c.on('close', onClose);
  setLed(false);
  c.connect();
  h.clock.setTimer(every, tick);
}

function setLed(v: boolean): void {
  on = v;
  if (led) hal.io.write(led, v);
}

function state(): void {
  c.publish(base + '/state', '{"n":' + n++ + ',"led":' + on + '}', { qos: qos }, published);
}

function published(e?: string): void {
  if (e) hal.log.warn('publish: ' + e);
}

function tick(): void {
  if (c.connected) state();
  hal.clock.setTimer(every, tick);
}

function onConnect(): void {
  hal.log.info(appName + 'connected to ' + host);
  c.subscribe([{ topic: base + '/cmd', qos: qos }], subscribed);
}

function subscribed(e?: string): void {
  if (e) hal.log.error('subscribe: ' + e);
  else state();
}

function onMessage(_t: string, p: Uint8Array): void {
  // The payload as a byte string: the codec's converter, native on Espruino.
  const s = byteStringOf(p);
  setLed(s == 'on' ? true : s == 'off' ? false : !on);
  hal.log.info(appName + 'command "' + s + '", LED ' + (on ? 'on' : 'off'));
  state();
}

function onError(e: string): void {
  hal.log.warn(appName + e);
}

function onClose(r: string): void {
  hal.log.info(appName + 'closed (' + r + ')');
}
