// Cloud-to-device messages from the fake hub: subscription on first use, property bags decoded,
// bodies delivered as bytes, messages queued at the hub until the device subscribes.
import { describe, expect, it } from 'vitest';
import { KEY, online } from '../../support/fakeHub.js';

describe('cloud-to-device', () => {
  it('delivers body bytes and decoded properties (system and application, special characters)', () => {
    const { clock, hub, dev } = online();
    const got: [number[], Record<string, string | null>][] = [];
    dev.onC2d((b, p) => got.push([[...b], p]));
    dev.connect();
    clock.advance(0);
    const props = { '$.mid': 'abc-1', '$.to': '/devices/d1/messages/deviceBound', '$.ct': 'text/plain; charset=UTF-8', 'a b': 'x&y=z+%', 'ü': '😀' };
    hub.c2d('d1', 'héllo', props);
    clock.advance(0);
    expect(got).toEqual([[[...Buffer.from('héllo')], props]]);
    expect(hub.sessions.d1!.c2d).toEqual([]); // acknowledged
  });

  it('subscribes only once onC2d is called; messages sent before wait at the hub', () => {
    const { clock, hub, dev } = online();
    dev.connect();
    clock.advance(0);
    hub.c2d('d1', 'early', { k: '1' });
    clock.advance(0);
    expect(hub.log.filter((l) => l.startsWith('subscribe'))).toEqual([]);
    const got: string[] = [];
    dev.onC2d((b, p) => got.push(Buffer.from(b).toString() + ' ' + p.k));
    dev.onC2d((b, p) => got.push('second handler ' + Buffer.from(b).toString() + ' ' + p.k));
    clock.advance(0);
    expect(hub.log.filter((l) => l.startsWith('subscribe'))).toEqual(['subscribe d1 devices/d1/messages/devicebound/# q1']);
    expect(got).toEqual(['second handler early 1']);
  });

  it('a key without a value arrives as null, an empty value as ""', () => {
    const { clock, hub, dev } = online();
    const got: Record<string, string | null>[] = [];
    dev.onC2d((_, p) => got.push(p));
    dev.connect();
    clock.advance(0);
    hub.sessions.d1!.conn!.publish('devices/d1/messages/devicebound/flag&empty=&k=v', 'x');
    clock.advance(0);
    expect(got).toEqual([{ flag: null, empty: '', k: 'v' }]);
  });

  it('messages for another device or with a broken property bag are not delivered', () => {
    const { clock, hub, dev } = online();
    const got: unknown[] = [];
    dev.onC2d((_, p) => got.push(p));
    dev.connect();
    clock.advance(0);
    hub.sessions.d1!.conn!.publish('devices/d2/messages/devicebound/k=v', 'x');
    hub.sessions.d1!.conn!.publish('devices/d1/messages/devicebound/k=%E0%A4%A', 'x');
    clock.advance(0);
    expect(got).toEqual([]);
    expect(dev.connected).toBe(true);
  });

  it('a module has no cloud-to-device queue: onC2d throws', () => {
    const { dev } = online({ connectionString: `HostName=hub.test;DeviceId=d1;ModuleId=m1;SharedAccessKey=${KEY}` });
    expect(() => dev.onC2d(() => {})).toThrow('iothub: modules get no cloud-to-device messages');
  });
});
