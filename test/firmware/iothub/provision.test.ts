// provision(): DPS registration, then a device for the assigned hub with the same key, against the
// fake DPS and the fake hub on two emulated links in one virtual time. The HAL's transport routes
// by host, as the network would: the DPS endpoint to one link, everything else to the hub's.
import { describe, expect, it } from 'vitest';
import type { Device } from '../../../firmware/iothub/device.js';
import { provision } from '../../../firmware/iothub/provision.js';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import type { Hal } from '../../../hal/types.js';
import { FakeDps } from '../../support/fakeDps.js';
import { checkSas, FakeHub, KEY } from '../../support/fakeHub.js';

const DPS = { idScope: '0ne00000001', registrationId: 'dev-1', key: KEY, host: 'dps.test' };

function setup(assigned = { assignedHub: 'hub-7.test', deviceId: 'dev-1' }) {
  const clock = new VirtualClock();
  const dps = new FakeDps(clock, DPS.idScope, DPS.registrationId, KEY, assigned);
  dps.polls = 1;
  const hub = new FakeHub(clock, 'hub-7.test', { 'dev-1': { key: KEY } });
  const hal: Hal = { ...hub.hal(), transport: { connect: (o, h) => (o.host === 'dps.test' ? dps.link : hub.link).transport.connect(o, h) } };
  const out: { err?: string; dev?: Device }[] = [];
  const run = (o = {}) => provision(hal, DPS, o, (err, dev) => out.push({ err, dev }));
  return { clock, dps, hub, out, run };
}

describe('provision', () => {
  it('registers, then hands over an unconnected device for the assigned hub that authenticates with the same key', () => {
    const { clock, dps, hub, out, run } = setup();
    run({ keepalive: 60 });
    clock.advance(60_000);
    expect(out).toHaveLength(1);
    expect(out[0]!.err).toBeUndefined();
    expect(dps.log).toEqual(['connect dev-1', 'subscribe $dps/registrations/res/#', 'disconnect']);
    expect(dps.requests.map(([, t]) => t.split('/')[2])).toEqual(['PUT', 'GET', 'GET']);
    expect(hub.link.attempts).toBe(0);

    const dev = out[0]!.dev!;
    const sent: string[] = [];
    dev.connect();
    dev.send('{"t":1}', { a: 'b' }, (e) => sent.push(`sent ${e}`));
    clock.advance(0);
    expect(sent).toEqual(['sent undefined']);
    const c = hub.connects[0]!;
    expect(c.opts).toMatchObject({ host: 'hub-7.test', port: 8883, tls: true });
    expect(c.p).toMatchObject({ clientId: 'dev-1', username: 'hub-7.test/dev-1/?api-version=2021-04-12', keepalive: 60 });
    expect(typeof checkSas(Buffer.from(c.p.password!).toString(), 'hub-7.test/devices/dev-1', KEY, c.at)).toBe('number');
    expect(hub.telemetry.map((t) => [t.deviceId, t.body, t.props])).toEqual([['dev-1', '{"t":1}', { a: 'b' }]]);
    expect(hub.violations).toEqual([]);
  });

  it('what DPS assigns wins over device options given by a caller that ignores the types', () => {
    const { clock, hub, out, run } = setup();
    run({ host: 'elsewhere.test', deviceId: 'other', key: Buffer.from('another key').toString('base64'), port: 8884 });
    clock.advance(60_000);
    out[0]!.dev!.connect();
    clock.advance(0);
    expect(hub.connects[0]!.opts).toMatchObject({ host: 'hub-7.test', port: 8884 });
    expect(hub.log).toContain('connect dev-1 sp=0');
    expect(hub.violations).toEqual([]);
  });

  it('a failed registration gives the error and no device', () => {
    const { clock, dps, hub, out, run } = setup();
    dps.result = 'failed';
    run();
    clock.advance(60_000);
    expect(out).toEqual([{ err: 'dps: status 200 failed', dev: undefined }]);
    expect(hub.link.attempts).toBe(0);
  });

  it('an assigned device id the device layer refuses is an error, not a throw', () => {
    const { clock, out, run } = setup({ assignedHub: 'hub-7.test', deviceId: 'bad/id' });
    run();
    clock.advance(60_000);
    expect(out).toEqual([{ err: "dps: iothub: device id 'bad/id': character '/' is not allowed", dev: undefined }]);
  });
});
