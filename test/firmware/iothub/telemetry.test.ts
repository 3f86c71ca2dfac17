// Telemetry against the fake hub: the topic, the property bag with special characters (parsed back
// by the hub with decodeURIComponent), QoS and callbacks, offline queueing.
import { describe, expect, it } from 'vitest';
import { online } from '../../support/fakeHub.js';

describe('telemetry', () => {
  it('topic and property bag: app and system properties, special characters round-trip through the hub', () => {
    const { clock, hub, dev } = online();
    dev.connect();
    clock.advance(0);
    const props = {
      '$.mid': 'id 1', '$.cid': 'c&d=e', '$.ct': 'application/json', '$.ce': 'utf-8', '$.uid': 'u', '$.to': '/devices/d1', '$.exp': '2030-01-01T00:00:00Z',
      'temp alert': 'a+b#c/d?e%f', 'üñí': '😀', empty: '',
    };
    dev.send('{"t":21.5}', props);
    clock.advance(0);
    const t = hub.telemetry[0]!;
    expect(t.topic).toBe(
      'devices/d1/messages/events/%24.mid=id%201&%24.cid=c%26d%3De&%24.ct=application%2Fjson&%24.ce=utf-8&%24.uid=u&%24.to=%2Fdevices%2Fd1'
      + '&%24.exp=2030-01-01T00%3A00%3A00Z&temp%20alert=a%2Bb%23c%2Fd%3Fe%25f&%C3%BC%C3%B1%C3%AD=%F0%9F%98%80&empty=',
    );
    expect(t.topic).not.toMatch(/[#+]/);
    expect(t.props).toEqual(props);
    expect(t.body).toBe('{"t":21.5}');
  });

  it('no properties: the bare events topic; a binary body goes as bytes', () => {
    const { clock, hub, dev } = online();
    dev.connect();
    dev.send(new Uint8Array([0, 255, 10]));
    clock.advance(0);
    expect(hub.telemetry[0]!.topic).toBe('devices/d1/messages/events/');
    expect(hub.telemetry[0]!.bytes).toEqual([0, 255, 10]);
  });

  it('QoS 1 by default: the callback fires on PUBACK; queued while offline and sent in order after CONNACK', () => {
    const { clock, hub, dev } = online();
    const acks: string[] = [];
    dev.send('a', { n: '1' }, (e) => acks.push('1 ' + e));
    dev.send('b', { n: '2' }, (e) => acks.push('2 ' + e));
    expect(acks).toEqual([]);
    dev.connect();
    clock.advance(0);
    expect(acks).toEqual(['1 undefined', '2 undefined']);
    expect(hub.telemetry.map((t) => t.props.n)).toEqual(['1', '2']);
  });

  it('qos: 0 publishes at QoS 0; the callback fires once written', () => {
    const { clock, hub, dev } = online({ qos: 0 });
    dev.connect();
    clock.advance(0);
    let done = 0;
    dev.send('x', undefined, () => done++);
    expect(done).toBe(1);
    clock.advance(0);
    expect(hub.telemetry).toHaveLength(1);
  });

  it('a module publishes on its own events topic', () => {
    const { clock, hub, dev } = online({ connectionString: 'HostName=hub.test;DeviceId=d1;ModuleId=m1;SharedAccessKey=' + Buffer.from('a test key of 32 bytes, not real').toString('base64') });
    dev.connect();
    dev.send('x', { k: 'v' });
    clock.advance(0);
    expect(hub.telemetry[0]!.topic).toBe('devices/d1/modules/m1/messages/events/k=v');
  });

  it('a full offline queue fails the send through its callback, or the error event without one', () => {
    const { dev, events } = online({ limits: { queueBytes: 200 } });
    const errs: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) dev.send('x'.repeat(50), undefined, (e) => errs.push(e));
    dev.send('y'.repeat(50));
    expect(errs.filter(Boolean)[0]).toMatch(/^offline queue full: \d+ bytes used of 200$/);
    expect(events.slice(-1)[0]).toMatch(/^error offline queue full/);
  });

  it('a property key that cannot round-trip throws at the call', () => {
    const { dev } = online();
    expect(() => dev.send('x', { '': 'v' })).toThrow('property bag');
  });
});
