// createDevice against the fake hub in virtual time: what goes into CONNECT, option checks that
// throw at createDevice, X.509, the clock-not-set wait, the will, and session bookkeeping.
import { describe, expect, it } from 'vitest';
import { createDevice } from '../../../firmware/iothub/device.js';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { checkSas, FakeHub, KEY, online } from '../../support/fakeHub.js';

const CS = `HostName=hub.test;DeviceId=d1;SharedAccessKey=${KEY}`;
const txt = (b?: Uint8Array) => Buffer.from(b ?? []).toString();

describe('CONNECT', () => {
  it('carries clientId, username with api-version, a valid SAS password, clean=0 and keepalive 240', () => {
    const { clock, hub, dev, events } = online();
    dev.connect();
    clock.advance(0);
    expect(events).toEqual(['connect']);
    expect(dev.connected).toBe(true);
    const { p, opts, at } = hub.connects[0]!;
    expect(opts).toMatchObject({ host: 'hub.test', port: 8883, tls: true });
    expect(p.clientId).toBe('d1');
    expect(p.username).toBe('hub.test/d1/?api-version=2021-04-12');
    expect(p.clean).toBe(false);
    expect(p.keepalive).toBe(240);
    expect(p.will).toBeUndefined();
    // Verified with node:crypto, independently of firmware/iothub/sas.ts; default lifetime 1 h.
    expect(checkSas(txt(p.password), 'hub.test/devices/d1', KEY, at)).toBe(at + 3600);
    expect(hub.violations).toEqual([]);
  });

  it('module identity, model id, keepalive, tokenTtl and explicit host/key options', () => {
    const clock = new VirtualClock();
    const hub = new FakeHub(clock, 'hub.test', { d1: { key: KEY } });
    const dev = createDevice(hub.hal(), {
      host: 'hub.test', deviceId: 'd1', moduleId: 'm1', key: KEY, modelId: 'dtmi:com:example:Thermostat;1',
      keepalive: 1177, tokenTtl: 600, renewBefore: 60, port: 1234,
    });
    dev.connect();
    clock.advance(0);
    const { p, opts, at } = hub.connects[0]!;
    expect(opts.port).toBe(1234);
    expect(p.clientId).toBe('d1/m1');
    expect(p.username).toBe('hub.test/d1/m1/?api-version=2021-04-12&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1');
    expect(p.keepalive).toBe(1177);
    expect(checkSas(txt(p.password), 'hub.test/devices/d1/modules/m1', KEY, at)).toBe(at + 600);
    expect(hub.log).toContain('connect d1/m1 sp=0');
  });

  it('GatewayHostName: dials the gateway (and its port) while the token and username name the hub', () => {
    const { clock, hub, dev } = online({ connectionString: CS + ';GatewayHostName=127.0.0.1:9443', tls: false });
    dev.connect();
    clock.advance(0);
    const { p, opts, at } = hub.connects[0]!;
    expect(opts).toMatchObject({ host: '127.0.0.1', port: 9443, tls: false });
    expect(p.username).toBe('hub.test/d1/?api-version=2021-04-12');
    expect(checkSas(txt(p.password), 'hub.test/devices/d1', KEY, at)).toBe(at + 3600);
  });

  it('a will goes on the telemetry topic with its property bag, at QoS 1, not retained', () => {
    const { clock, hub, dev } = online({ will: { body: 'gone', props: { reason: 'lost power', '$.ct': 'text/plain' } } });
    dev.connect();
    clock.advance(0);
    const w = hub.connects[0]!.p.will!;
    expect(w.topic).toBe('devices/d1/messages/events/reason=lost%20power&%24.ct=text%2Fplain');
    expect(txt(w.payload)).toBe('gone');
    expect(w.qos).toBe(1);
    expect(w.retain).toBe(false);
  });

  it('a refused CONNECT (a key being rotated): told each time, tried again with the capped backoff, each try with a fresh token', () => {
    const other = Buffer.from('another key, also 32 bytes long!').toString('base64');
    const { clock, hub, dev, events } = online({ limits: { backoffMin: 1000, backoffMax: 8000 } });
    hub.devices.d1!.key = other; // the hub has the new key; the device still the old one
    const refusals: string[] = [];
    dev.on('refused', (rc, reason, retryIn) => refusals.push(`${rc} ${reason} ${retryIn! <= 8000}`));
    dev.connect();
    clock.advance(60_000);
    const tries = hub.connects.length;
    expect(tries).toBeGreaterThanOrEqual(8); // at most 8 s apart
    expect(hub.log).toEqual(Array(tries).fill('refuse bad signature'));
    expect(refusals).toEqual(Array(tries).fill('5 not authorized true'));
    expect(events.slice(0, 2)).toEqual(['error connection refused: not authorized (rc 5)', 'close connection refused: not authorized (rc 5)']);
    expect(events.join()).not.toContain(other);
    // Each try carried a token minted for it, not the first one again.
    for (const c of hub.connects) expect(checkSas(txt(c.p.password), 'hub.test/devices/d1', KEY, c.at)).toBe(c.at + 3600);
    // The hub goes back to the device's key: the next try gets through.
    hub.devices.d1!.key = KEY;
    clock.advance(8000);
    expect(dev.connected).toBe(true);
    expect(events[events.length - 1]).toBe('connect');
  });
});

describe('options that throw at createDevice', () => {
  const hal = new FakeHub(new VirtualClock()).hal();
  const make = (o: object) => () => createDevice(hal, { connectionString: CS, ...o });

  it('keepalive above 1177 s, QoS 2, tokenTtl not above renewBefore', () => {
    expect(make({ keepalive: 1178 })).toThrow('iothub: keepalive must be 0..1177 s');
    expect(make({ keepalive: -1 })).toThrow('keepalive');
    expect(make({ qos: 2 })).toThrow('iothub: qos must be 0 or 1');
    expect(make({ tokenTtl: 900 })).toThrow('iothub: tokenTtl must exceed renewBefore');
    expect(make({ tokenTtl: 600, renewBefore: 600 })).toThrow('tokenTtl must exceed renewBefore');
    expect(make({ keepalive: 0, qos: 0 })).not.toThrow();
  });

  it('device and module ids that would break a topic', () => {
    for (const id of ['a/b', 'a#', 'a+b', 'a b', 'ü', '', 'x'.repeat(129)]) {
      expect(() => createDevice(hal, { host: 'h', deviceId: id, key: KEY })).toThrow(/device id/);
    }
    expect(() => createDevice(hal, { host: 'h', deviceId: 'd', moduleId: 'm/1', key: KEY })).toThrow("module id 'm/1': character '/' is not allowed");
    expect(() => createDevice(hal, { host: 'h', deviceId: "d-1.x_y:z@w$(1)'!*?,=%", key: KEY })).not.toThrow();
  });

  it('malformed connection strings name the part, never the key', () => {
    const key = 'c2VjcmV0LWtleS1kby1ub3QtbG9n';
    const cases: [string, RegExp][] = [
      [`DeviceId=d1;SharedAccessKey=${key}`, /missing HostName/],
      [`HostName=h;SharedAccessKey=${key}`, /missing DeviceId/],
      ['HostName=h;DeviceId=d1', /missing SharedAccessKey/],
      [`HostName=h;DeviceId=d/1;SharedAccessKey=${key}`, /DeviceId/],
      [`HostName=h;DeviceId=d1;SharedAccessKey=${key}!`, /SharedAccessKey is not valid base64/],
      [`HostName=h;DeviceId=d1;Sharedaccesskey=${key}`, /unknown part/],
    ];
    for (const [cs, re] of cases) {
      let msg = '';
      try {
        createDevice(hal, { connectionString: cs });
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toMatch(re);
      expect(msg).not.toContain(key);
    }
  });

  it('no host, no credentials, or a key that is not base64 (not quoted)', () => {
    expect(() => createDevice(hal, { deviceId: 'd', key: KEY })).toThrow('iothub: host is required');
    expect(() => createDevice(hal, { host: 'h', deviceId: 'd' })).toThrow('iothub: need key, or cert and clientKey');
    expect(() => createDevice(hal, { host: 'h', deviceId: 'd', cert: 'PEM' })).toThrow('cert and clientKey');
    expect(() => createDevice(hal, { connectionString: 'HostName=h;DeviceId=d;x509=true' })).toThrow('cert and clientKey');
    let msg = '';
    try {
      createDevice(hal, { host: 'h', deviceId: 'd', key: 'secret*key' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe('iothub: key is not base64');
  });
});

describe('X.509', () => {
  it('sends the username and no password; the certificate and key go to the transport', () => {
    const { clock, hub, dev, events } = online(
      { connectionString: 'HostName=hub.test;DeviceId=d1;x509=true', cert: 'CERT PEM', clientKey: 'KEY PEM', ca: 'CA PEM' },
      { devices: { d1: { x509: true } } },
    );
    dev.connect();
    clock.advance(0);
    expect(events).toEqual(['connect']);
    const { p, opts } = hub.connects[0]!;
    expect(p.password).toBeUndefined();
    expect(p.username).toBe('hub.test/d1/?api-version=2021-04-12');
    expect(opts).toMatchObject({ cert: 'CERT PEM', key: 'KEY PEM', ca: 'CA PEM', tls: true });
    // No token, so nothing to renew: the connection simply stays up.
    clock.advance(48 * 3_600_000);
    expect(hub.connects).toHaveLength(1);
    expect(dev.connected).toBe(true);
  });
});

describe('clock not set', () => {
  it('mints no token and does not dial until the real time is known; says so once', () => {
    const { clock, hub, dev, events } = online({}, { epoch: 0 });
    dev.connect();
    clock.advance(30_000);
    expect(hub.link.attempts).toBe(0);
    expect(events).toEqual(['error clock not set: cannot create a SAS token until the real time is known']);
    clock.epoch = 1_750_000_000; // NTP answered
    clock.advance(1000);
    expect(events.slice(1)).toEqual(['connect']);
    const { p, at } = hub.connects[0]!;
    expect(at).toBeGreaterThan(1_750_000_000);
    expect(checkSas(txt(p.password), 'hub.test/devices/d1', KEY, at)).toBe(at + 3600);
  });

  it('end() while waiting for the clock stops the polling', () => {
    const { clock, hub, dev } = online({}, { epoch: 0 });
    dev.connect();
    dev.end();
    clock.epoch = 1_750_000_000;
    clock.advance(10_000);
    expect(hub.link.attempts).toBe(0);
    expect(clock.pending()).toBe(0);
  });
});

describe('session', () => {
  it('end() says DISCONNECT and leaves no timer; connect() later resumes the session', () => {
    const { clock, hub, dev, events } = online();
    dev.onMethod('m', (_, r) => r(200));
    dev.connect();
    clock.advance(0);
    dev.end();
    clock.advance(0);
    expect(hub.log).toContain('disconnect d1');
    expect(dev.connected).toBe(false);
    expect(clock.pending()).toBe(0);
    dev.connect();
    clock.advance(0);
    expect(hub.log.slice(-1)).toEqual(['connect d1 sp=1']);
    expect(events).toEqual(['connect', 'close end', 'connect']);
  });

  it('a refused subscription is reported through the error event, naming the filter', () => {
    const { clock, hub, dev, events } = online();
    hub.refuseFilters.push('$iothub/methods/POST/#');
    dev.onMethod('m', (_, r) => r(200));
    dev.connect();
    clock.advance(0);
    expect(events).toEqual(['connect', 'error subscribe refused (0x80): $iothub/methods/POST/#']);
    expect(events.join()).not.toContain(KEY);
  });

  it('subscribes again when a reconnect finds the hub session gone, not when it is kept', () => {
    const { clock, hub, dev } = online();
    dev.onC2d(() => {});
    dev.onMethod('m', (_, r) => r(200));
    dev.connect();
    clock.advance(0);
    const subs = () => hub.log.filter((l) => l.startsWith('subscribe'));
    expect(subs()).toHaveLength(2);
    hub.drop('d1');
    clock.advance(60_000);
    expect(hub.log.filter((l) => l.startsWith('connect'))).toEqual(['connect d1 sp=0', 'connect d1 sp=1']);
    expect(subs()).toHaveLength(2);
    delete hub.sessions.d1; // the hub forgets the session
    hub.drop('d1');
    clock.advance(60_000);
    expect(hub.log.filter((l) => l.startsWith('connect')).slice(-1)).toEqual(['connect d1 sp=0']);
    expect(subs().slice(2)).toEqual(['subscribe d1 devices/d1/messages/devicebound/# q1 $iothub/methods/POST/# q1']);
    expect(hub.sessions.d1!.subs).toHaveLength(2);
  });
});
