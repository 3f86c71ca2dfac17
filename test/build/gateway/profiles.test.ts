// Topic mapping: the default profile's short topics to IoT Hub's and back, unmatched topics marked,
// every upstream topic built from the authenticated id; the transparent profile with IoT Hub's
// own rules; templates checked.
import { expect, it } from 'vitest';
import { defaultProfile, deviceTopics, transparentProfile } from '../../../build/gateway/profiles.js';

const p = defaultProfile();

it('maps telemetry, with topic levels as properties, under the device id', () => {
  expect(p.fromDevice('dev1', 't')).toEqual({ kind: 'telemetry', topic: 'devices/dev1/messages/events/' });
  expect(p.fromDevice('dev1', 't/unit=C/room=a b')).toEqual({ kind: 'telemetry', topic: 'devices/dev1/messages/events/unit=C&room=a%20b' });
});

it('marks what it cannot map as Unmatched with the topic as Subject, never dropped', () => {
  for (const topic of ['x/y', 't/noequals', 't/__proto__=1', 'a/1/abc', 'devices/other/messages/events/']) {
    const out = p.fromDevice('dev1', topic)!;
    expect(out.kind).toBe('telemetry');
    expect(out.topic.startsWith('devices/dev1/messages/events/Unmatched=true&Subject=')).toBe(true);
    expect(decodeURIComponent(out.topic.split('Subject=')[1]!)).toBe(topic);
  }
});

it('maps reported patches and method answers to requests', () => {
  expect(p.fromDevice('dev1', 'r')!.topic).toMatch(/^\$iothub\/twin\/PATCH\/properties\/reported\/\?\$rid=gw\d+$/);
  expect(p.fromDevice('dev1', 'a/42/200')).toEqual({ kind: 'request', topic: '$iothub/methods/res/200/?$rid=42' });
});

it("subscribes upstream to what the device's filter can receive", () => {
  expect(p.upstreamFilters('dev1', 'c')).toEqual(['devices/dev1/messages/devicebound/#']);
  expect(p.upstreamFilters('dev1', 'm/+/+')).toEqual(['$iothub/methods/POST/#']);
  expect(p.upstreamFilters('dev1', '#')).toHaveLength(3);
  expect(p.upstreamFilters('dev1', 'nothing/here')).toBeNull();
});

it("names IoT Hub's messages with the device's topics", () => {
  expect(p.toDevice('dev1', 'devices/dev1/messages/devicebound/%24.mid=1')).toBe('c');
  expect(p.toDevice('dev1', '$iothub/twin/PATCH/properties/desired/?$version=3')).toBe('d');
  expect(p.toDevice('dev1', '$iothub/methods/POST/reboot/?$rid=7')).toBe('m/reboot/7');
  expect(p.toDevice('dev1', '$iothub/twin/res/204/?$rid=gw1&$version=2')).toBeNull();
  expect(p.toDevice('dev1', 'devices/dev2/messages/devicebound/')).toBeNull();
});

it('takes other short names, and refuses bad templates by name', () => {
  const q = defaultProfile(deviceTopics({ telemetry: 'tele', c2d: 'in' }));
  expect(q.fromDevice('d', 'tele/k=v')!.topic).toBe('devices/d/messages/events/k=v');
  expect(q.toDevice('d', 'devices/d/messages/devicebound/')).toBe('in');
  expect(() => deviceTopics({ telemetry: 'a/b' })).toThrow(/topic template 'telemetry' must be one topic level/);
  expect(() => deviceTopics({ nope: 'x' })).toThrow(/unknown topic template 'nope'/);
  expect(() => deviceTopics({ c2d: 't' })).toThrow(/must all differ/);
});

it("passes IoT Hub's own topics in the transparent profile, for this device only", () => {
  expect(transparentProfile.fromDevice('dev1', 'devices/dev1/messages/events/a=1')).toEqual({ kind: 'telemetry', topic: 'devices/dev1/messages/events/a=1' });
  expect(transparentProfile.fromDevice('dev1', '$iothub/twin/GET/?$rid=1')).toEqual({ kind: 'request', topic: '$iothub/twin/GET/?$rid=1' });
  expect(transparentProfile.fromDevice('dev1', 'devices/dev2/messages/events/')).toBeNull();
  expect(transparentProfile.upstreamFilters('dev1', 'devices/dev2/messages/devicebound/#')).toBeNull();
  expect(transparentProfile.upstreamFilters('dev1', '$iothub/methods/POST/#')).toEqual(['$iothub/methods/POST/#']);
});
