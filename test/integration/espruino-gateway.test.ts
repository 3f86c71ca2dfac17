// The gateway-sensor app on Espruino's own interpreter, behind `tinyiot gateway` (plain TCP, the
// default profile) in front of the local hub: its telemetry reaches the hub under its own id with
// the property from its topic level, a C2D message and a method call set its LED, and a desired
// interval is applied and reported back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireEspruino } from '../support/espruino.js';
import { type EspruinoDevice, removeEspruinoBuilds, startEspruinoDevice } from '../support/espruinoDevice.js';
import { until } from '../support/wait.js';
import { gatewayRig, type Rig } from '../build/gateway/rig.js';

describe.skipIf(requireEspruino().missing)('gateway-sensor on Espruino behind the gateway', () => {
  let rig: Rig;
  let device: EspruinoDevice | undefined;

  beforeAll(async () => {
    rig = await gatewayRig();
    const secret = rig.addDevice('esp-gw-1');
    device = await startEspruinoDevice('gateway-sensor', { host: '127.0.0.1', port: rig.gw.port, tls: false, clientId: 'esp-gw-1', password: secret, interval: 1 });
  }, 60_000);
  afterAll(async () => {
    await device?.stop();
    await rig?.close();
    removeEspruinoBuilds();
  });

  it('sends telemetry, obeys C2D and a method, and applies a desired interval', { timeout: 60_000 }, async () => {
    await until(() => rig.telemetry.length >= 2, 'two telemetry messages at the hub', 20_000);
    expect(rig.telemetry[0]!.deviceId).toBe('esp-gw-1');
    expect(rig.telemetry[0]!.props.unit).toBe('C');
    expect(typeof JSON.parse(rig.telemetry[0]!.body.toString()).temp).toBe('number');

    rig.hub.sendC2d('esp-gw-1', Buffer.from('on'));
    await until(() => device!.pins.some((p) => p.endsWith('=1')), 'the LED on after the C2D message', 10_000);

    const r = await rig.hub.invoke('esp-gw-1', 'blink', null, 10_000);
    expect(r).toEqual({ status: 200, payload: { led: false } });
    expect((await rig.hub.invoke('esp-gw-1', 'nothing', null, 10_000)).status).toBe(404);

    const reported = new Promise<{ patch: unknown }>((res) => rig.hub.once('reported', res));
    rig.hub.updateDesired('esp-gw-1', { interval: 2 });
    expect((await reported).patch).toEqual({ interval: 2 });
    expect(device!.errors).toEqual([]);
  });
});
