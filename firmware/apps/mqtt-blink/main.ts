// Plain MQTT example: every `interval` seconds publishes a counter and the LED state to
// <topic>/state; a message on <topic>/cmd toggles the LED ("on"/"off" set it) and the new state is
// published at once. Config fields beyond AppConfig: clientId, username, password, topic, interval,
// qos (of the state messages and the command subscription, default 1) and clean (default true;
// false keeps the session, so commands sent while the board is offline reach it afterwards).
import type { Hal } from '../../../hal/types.js';
import { createClient } from '../../mqtt/client.js';
import type { AppConfig } from '../config.js';

export function main(hal: Hal, cfg: AppConfig): void {
  const tls = cfg.tls !== false;
  const id = (cfg.clientId as string) || 'tinyiot-' + Math.floor(hal.random() * 1e6);
  const base = (cfg.topic as string) || 'tinyiot/' + id;
  const every = ((cfg.interval as number) || 10) * 1000;
  const log = hal.log;
  let n = 0;
  let on = false;
  const qos = cfg.qos === undefined ? 1 : (cfg.qos as 0 | 1 | 2);
  if (!cfg.host) throw new Error('mqtt-blink: config needs host');
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new Error('mqtt-blink: qos must be 0, 1 or 2');
  if (!tls) log.warn('mqtt-blink: TLS is OFF (insecure development mode)');

  const c = createClient(hal, {
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
  const led = (v: boolean) => {
    on = v;
    if (cfg.led) hal.io.write(cfg.led, v);
  };
  const state = () =>
    c.publish(base + '/state', '{"n":' + n++ + ',"led":' + on + '}', { qos: qos }, (e) => e && log.warn('publish: ' + e));
  const tick = () => {
    if (c.connected) state();
    hal.clock.setTimer(every, tick);
  };

  c.on('connect', () => {
    log.info('mqtt-blink: connected to ' + cfg.host);
    c.subscribe([{ topic: base + '/cmd', qos: qos }], (e) => (e ? log.error('subscribe: ' + e) : state()));
  });
  c.on('message', (_t, p) => {
    let s = '';
    for (let i = 0; i < p.length; i++) s += String.fromCharCode(p[i]!);
    led(s == 'on' ? true : s == 'off' ? false : !on);
    log.info('mqtt-blink: command "' + s + '", LED ' + (on ? 'on' : 'off'));
    state();
  });
  c.on('error', (e) => log.warn('mqtt-blink: ' + e));
  c.on('close', (r) => log.info('mqtt-blink: closed (' + r + ')'));
  led(false);
  c.connect();
  hal.clock.setTimer(every, tick);
}
