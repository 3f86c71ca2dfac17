// Azure IoT Hub example: as soon as it is first connected, then every `interval` seconds, sends
// {"temperature": hal.io.sense('temp')} as JSON telemetry ($.ct application/json, $.ce utf-8): the
// first reading does not wait an interval (30 s by default), so a short run shows one. Cloud-to-device messages are logged and blink
// the LED. The desired property `interval` (seconds, 1..86400) is applied and reported back with the
// twin's conventions (value + ac/av/ad). Direct methods: `blink` {"times": n} answers 200 once
// blinking starts; `reboot` answers 200, then closes and reconnects the device.
// Config fields beyond AppConfig: interval, modelId, tokenTtl and renewBefore (seconds: how long each
// SAS token lives and how early it is renewed; the device layer's defaults are 3600 and 900).
import type { Hal } from '../../../hal/types.js';
import { createDevice } from '../../iothub/device.js';
import type { AppConfig } from '../config.js';

export function main(hal: Hal, cfg: AppConfig): void {
  const log = hal.log, ck = hal.clock;
  let every = (cfg.interval as number) || 30;
  let tm = 0, seq = 0, first = true;
  if (!cfg.connectionString) throw new Error('iothub-sensor: config needs connectionString');
  if (cfg.tls === false) log.warn('iothub-sensor: TLS is OFF (insecure development mode)');

  const dev = createDevice(hal, {
    connectionString: cfg.connectionString,
    host: cfg.host,
    port: cfg.port,
    tls: cfg.tls,
    ca: cfg.ca,
    modelId: cfg.modelId as string | undefined,
    tokenTtl: cfg.tokenTtl as number | undefined,
    renewBefore: cfg.renewBefore as number | undefined,
    limits: cfg.limits,
  });
  const blink = (n: number) => {
    let k = 2 * n;
    const step = () => {
      if (cfg.led) hal.io.write(cfg.led, k % 2 == 1);
      if (k-- > 0) ck.setTimer(200, step);
    };
    step();
  };
  const send = () => {
    const t = hal.io.sense('temp');
    dev.send('{"temperature":' + t + ',"seq":' + seq++ + '}', { '$.ct': 'application/json', '$.ce': 'utf-8' }, (e) =>
      e ? log.warn('telemetry: ' + e) : log.debug('telemetry sent: ' + t),
    );
  };
  const tick = () => {
    if (dev.connected) send();
    tm = ck.setTimer(every * 1000, tick);
  };
  const apply = (v: any, ver: number) => {
    const ok = typeof v == 'number' && v >= 1 && v <= 86400;
    if (ok) {
      every = v;
      ck.clearTimer(tm);
      tm = ck.setTimer(every * 1000, tick);
      log.info('iothub-sensor: interval now ' + v + ' s');
    }
    dev.report({ interval: { value: ok ? v : every, ac: ok ? 200 : 400, av: ver, ad: ok ? 'applied' : 'interval must be 1..86400 s' } });
  };

  dev.on('connect', () => {
    log.info('iothub-sensor: connected');
    if (first) send();
    first = false;
  });
  dev.on('error', (e) => log.warn('iothub-sensor: ' + e));
  dev.on('close', (r) => log.info('iothub-sensor: closed (' + r + ')'));
  dev.onC2d((body) => {
    let s = '';
    for (let i = 0; i < body.length; i++) s += String.fromCharCode(body[i]!);
    log.info('iothub-sensor: C2D message: ' + s);
    blink(1);
  });
  dev.onDesired((p, ver) => {
    if (p && p.interval !== undefined) apply(p.interval, ver);
  });
  dev.onMethod('blink', (p, respond) => {
    const n = (p && p.times) || 3;
    blink(n);
    respond(200, { blinking: n });
  });
  dev.onMethod('reboot', (_p, respond) => {
    respond(200, { rebooting: true });
    ck.setTimer(500, () => dev.end(() => dev.connect()));
  });
  dev.connect();
  tm = ck.setTimer(every * 1000, tick);
}
