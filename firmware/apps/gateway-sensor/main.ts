// Telemetry for a board behind `tinyiot gateway` (its default profile, docs/gateway.md): plain
// MQTT with the gateway's short topics, so a board without TLS or room for the IoT Hub layer
// still sends telemetry to IoT Hub and takes its commands. Every `interval` seconds it publishes
// the "temp" sensor to `t/unit=C` (the level becomes a message property). A C2D message on `c`
// sets the LED ("on", "off", anything else toggles); a desired patch on `d` with an `interval`
// applies it and reports it back on `r`; a method call on `m/<name>/<rid>` is answered on
// `a/<rid>/<status>`: `blink` toggles the LED (200), any other name gets 404. Config fields beyond
// AppConfig: clientId (the device id at the gateway), password (its LAN secret), interval.
import type { Hal } from '../../../hal/types.js';
import { createClient } from '../../mqtt/client.js';
import { byteStringOf } from '../../mqtt/codec/utf8.js';
import type { AppConfig } from '../config.js';

// Every log line starts with the app's name: written once.
const appName = 'gateway-sensor: ';

export function main(hal: Hal, cfg: AppConfig): void {
  const tls = cfg.tls !== false;
  const log = hal.log;
  let every = ((cfg.interval as number) || 10) * 1000;
  let n = 0;
  let on = false;
  if (!cfg.host || !cfg.clientId) throw new Error(appName + 'config needs host and clientId');
  if (!tls) log.warn(appName + 'TLS is OFF (plain MQTT to the gateway)');

  const c = createClient(hal, {
    host: cfg.host,
    port: cfg.port || (tls ? 8883 : 1883),
    tls,
    ca: cfg.ca,
    clientId: cfg.clientId as string,
    username: cfg.clientId as string,
    password: cfg.password as string | undefined,
    // The gateway keeps no session: it stores telemetry itself, and IoT Hub keeps the C2D queue.
    clean: true,
    limits: cfg.limits,
  });
  const send = (topic: string, body: string) => c.publish(topic, body, { qos: 1 }, (e) => e && log.warn('publish: ' + e));
  const led = (v: boolean) => {
    on = v;
    if (cfg.led) hal.io.write(cfg.led, v);
  };
  const tick = () => {
    if (c.connected) send('t/unit=C', '{"temp":' + hal.io.sense('temp') + ',"n":' + n++ + '}');
    hal.clock.setTimer(every, tick);
  };

  c.on('connect', () => {
    log.info(appName + 'connected to the gateway ' + cfg.host);
    c.subscribe([{ topic: 'c', qos: 1 }, { topic: 'd', qos: 1 }, { topic: 'm/#', qos: 1 }], (e) => e && log.error('subscribe: ' + e));
  });
  c.on('message', (t, p) => {
    // The payload as a byte string: the codec's converter, native on Espruino.
    const s = byteStringOf(p);
    if (t == 'c') {
      led(s == 'on' ? true : s == 'off' ? false : !on);
      log.info(appName + 'C2D "' + s + '", LED ' + (on ? 'on' : 'off'));
    } else if (t == 'd') {
      let patch: any;
      try {
        patch = JSON.parse(s);
      } catch (e) {
        return log.warn(appName + 'desired patch is not JSON');
      }
      if (patch && patch.interval > 0) {
        every = patch.interval * 1000;
        send('r', '{"interval":' + patch.interval + '}');
      }
    } else {
      const m = t.split('/');
      if (m.length != 3) return;
      if (m[1] == 'blink') led(!on);
      send('a/' + m[2] + '/' + (m[1] == 'blink' ? 200 : 404), m[1] == 'blink' ? '{"led":' + on + '}' : '{"error":"no such method"}');
    }
  });
  c.on('error', (e) => log.warn(appName + e));
  c.on('close', (r) => log.info(appName + 'closed (' + r + ')'));
  led(false);
  c.connect();
  hal.clock.setTimer(every, tick);
}
