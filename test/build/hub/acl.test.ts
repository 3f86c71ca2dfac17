import { describe, expect, it } from 'vitest';
import { classifyPublish, deviceProperties, isHubOwnedProperty, subscribeAllowed, topicMatches } from '../../../build/hub/acl.js';

describe('classifyPublish', () => {
  it('recognises telemetry with its property bag', () => {
    expect(classifyPublish('d1', 'devices/d1/messages/events/')).toEqual({ kind: 'telemetry', props: {} });
    expect(classifyPublish('d1', 'devices/d1/messages/events/%24.ct=application%2Fjson&a=b&flag')).toEqual({
      kind: 'telemetry',
      props: { '$.ct': 'application/json', a: 'b', flag: null },
    });
  });

  it('recognises twin and method requests with their request ids', () => {
    expect(classifyPublish('d1', '$iothub/twin/GET/?$rid=7')).toEqual({ kind: 'twin-get', rid: '7' });
    expect(classifyPublish('d1', '$iothub/twin/PATCH/properties/reported/?$rid=a%20b')).toEqual({ kind: 'twin-patch', rid: 'a b' });
    expect(classifyPublish('d1', '$iothub/methods/res/200/?$rid=ff')).toEqual({ kind: 'method-res', status: 200, rid: 'ff' });
  });

  it('refuses other devices, hub-bound-only topics, missing ids and bad bags', () => {
    for (const t of [
      'devices/d2/messages/events/',
      'devices/d1/messages/events',
      'devices/d1/messages/devicebound/x',
      'devices/d1/messages/events/%zz',
      '$iothub/twin/GET/',
      '$iothub/twin/GET/?x=1',
      '$iothub/twin/PATCH/properties/desired/?$rid=1',
      '$iothub/twin/res/200/?$rid=1',
      '$iothub/methods/POST/x/?$rid=1',
      '$iothub/methods/res/abc/?$rid=1',
      'anything/else',
    ])
      expect(classifyPublish('d1', t), t).toBeNull();
  });
});

describe('subscribeAllowed', () => {
  it('allows the device’s own C2D topic and the reply topics only', () => {
    for (const f of ['devices/d1/messages/devicebound/#', '$iothub/twin/res/#', '$iothub/twin/PATCH/properties/desired/#', '$iothub/methods/POST/#', '$iothub/methods/POST/reboot/#'])
      expect(subscribeAllowed('d1', f), f).toBe(true);
    for (const f of ['#', 'devices/d2/messages/devicebound/#', 'devices/+/messages/devicebound/#', 'devices/d1/messages/events/#', '$iothub/#', '$iothub/twin/res/', '$iothub/methods/res/#'])
      expect(subscribeAllowed('d1', f), f).toBe(false);
  });
});

describe('topicMatches', () => {
  it('follows MQTT wildcard rules', () => {
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
    expect(topicMatches('$iothub/twin/res/#', '$iothub/twin/res/200/?$rid=1')).toBe(true);
    expect(topicMatches('devices/d/messages/devicebound/#', 'devices/d/messages/devicebound/')).toBe(true);
  });
});

describe('deviceProperties', () => {
  it('leaves out the names the hub sets itself, in any case, and keeps the rest', () => {
    for (const n of ['iothub-connection-device-id', 'IoTHub-MessageType', '$.cdid', '$.CMID', 'mqtt-retain']) expect(isHubOwnedProperty(n), n).toBe(true);
    for (const n of ['$.ct', '$.mid', 'iothub', 'temp', 'x-iothub-y']) expect(isHubOwnedProperty(n), n).toBe(false);
    const r = deviceProperties({ 'iothub-connection-device-id': 'other', '$.ct': 'application/json', k: null });
    expect(r.dropped).toEqual(['iothub-connection-device-id']);
    expect({ ...r.props }).toEqual({ '$.ct': 'application/json', k: null });
    expect(Object.getPrototypeOf(r.props)).toBeNull();
  });
});
