import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as t from '../../../firmware/iothub/topics.js';

describe('usernames and client ids', () => {
  it('IoT Hub device and module usernames, with an optional model id', () => {
    expect(t.iothubUsername('h.azure-devices.net', 'd1')).toBe('h.azure-devices.net/d1/?api-version=2021-04-12');
    expect(t.iothubUsername('h.azure-devices.net', 'd1', 'm1')).toBe('h.azure-devices.net/d1/m1/?api-version=2021-04-12');
    expect(t.iothubUsername('h', 'd1', undefined, 'dtmi:com:example:Thermostat;1')).toBe('h/d1/?api-version=2021-04-12&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1');
  });
  it('client ids', () => {
    expect(t.clientId('d1')).toBe('d1');
    expect(t.clientId('d1', 'm1')).toBe('d1/m1');
  });
  it('DPS username', () => {
    expect(t.dpsUsername('0ne00000001', 'reg-1')).toBe('0ne00000001/registrations/reg-1/api-version=2019-03-31');
  });
});

describe('telemetry', () => {
  it('device and module topics, with and without a property bag', () => {
    expect(t.telemetryTopic('d1')).toBe('devices/d1/messages/events/');
    expect(t.telemetryTopic('d1', 'm1')).toBe('devices/d1/modules/m1/messages/events/');
    expect(t.telemetryTopic('d1', undefined, { '$.ct': 'application/json', '$.ce': 'utf-8', alert: null })).toBe(
      'devices/d1/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8&alert',
    );
  });
});

describe('cloud-to-device', () => {
  it('subscribe filter', () => {
    expect(t.c2dFilter('d1')).toBe('devices/d1/messages/devicebound/#');
  });
  it('parses the property bag of an incoming message', () => {
    expect(t.parseC2d('devices/d1/messages/devicebound/%24.mid=42&%24.to=%2Fdevices%2Fd1%2Fmessages%2FdeviceBound&k=v%20w', 'd1')).toEqual({
      '$.mid': '42',
      '$.to': '/devices/d1/messages/deviceBound',
      k: 'v w',
    });
    expect(t.parseC2d('devices/d1/messages/devicebound/', 'd1')).toEqual({});
    expect(t.parseC2d('devices/d1/messages/devicebound/?p1&p2=&p3=a%20string', 'd1')).toEqual({ p1: null, p2: '', p3: 'a string' });
  });
  it('returns null for other devices, other topics and bad bags', () => {
    expect(t.parseC2d('devices/d2/messages/devicebound/a=1', 'd1')).toBeNull();
    expect(t.parseC2d('devices/d1/messages/devicebound', 'd1')).toBeNull();
    expect(t.parseC2d('devices/d1/messages/events/a=1', 'd1')).toBeNull();
    expect(t.parseC2d('xdevices/d1/messages/devicebound/a=1', 'd1')).toBeNull();
    expect(t.parseC2d('devices/d1/messages/devicebound/a=%zz', 'd1')).toBeNull();
  });
  it('round-trips a bag built by the telemetry encoder', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'), fc.option(fc.string({ unit: 'grapheme', maxLength: 8 }), { nil: null })), (o) => {
        const topic = t.telemetryTopic('d1', undefined, o).replace('/events/', '/devicebound/');
        expect(t.parseC2d(topic, 'd1')).toEqual(o);
      }),
      { numRuns: 300 },
    );
  });
});

describe('twin', () => {
  it('filters and request topics; request ids are URL-encoded', () => {
    expect(t.TWIN_RES_FILTER).toBe('$iothub/twin/res/#');
    expect(t.DESIRED_FILTER).toBe('$iothub/twin/PATCH/properties/desired/#');
    expect(t.twinGetTopic(7)).toBe('$iothub/twin/GET/?$rid=7');
    expect(t.twinPatchTopic('r&1')).toBe('$iothub/twin/PATCH/properties/reported/?$rid=r%261');
  });
  it('parses responses with and without $version', () => {
    expect(t.parseTwinRes('$iothub/twin/res/200/?$rid=7')).toEqual({ status: 200, rid: '7' });
    expect(t.parseTwinRes('$iothub/twin/res/204/?$rid=4&$version=12')).toEqual({ status: 204, rid: '4', version: 12 });
    expect(t.parseTwinRes('$iothub/twin/res/429/?$rid=r%261&$version=3&extra=1')).toEqual({ status: 429, rid: 'r&1', version: 3 });
  });
  it('returns null for anything else', () => {
    for (const s of [
      '$iothub/twin/res/200',
      '$iothub/twin/res/200/',
      '$iothub/twin/res/200/?',
      '$iothub/twin/res/20/?$rid=1',
      '$iothub/twin/res/abc/?$rid=1',
      '$iothub/twin/res/200/?$rid',
      '$iothub/twin/res/200/?$rid=',
      '$iothub/twin/res/200/?$rid=1&$version=x',
      '$iothub/twin/res/200/?$rid=1&$version',
      '$iothub/twin/res/200/?$rid=%',
      '$iothub/twin/res/2/00/?$rid=1',
      '$iothub/methods/res/200/?$rid=1',
      '',
    ]) {
      expect(t.parseTwinRes(s)).toBeNull();
    }
  });
  it('parses desired-property patches to their version', () => {
    expect(t.parseDesired('$iothub/twin/PATCH/properties/desired/?$version=5')).toBe(5);
    expect(t.parseDesired('$iothub/twin/PATCH/properties/desired/?$version=0')).toBe(0);
    for (const s of [
      '$iothub/twin/PATCH/properties/desired/?$version=',
      '$iothub/twin/PATCH/properties/desired/?$version=-1',
      '$iothub/twin/PATCH/properties/desired/',
      '$iothub/twin/PATCH/properties/reported/?$version=5',
      '$iothub/twin/PATCH/properties/desired/x/?$version=5',
    ]) {
      expect(t.parseDesired(s)).toBeNull();
    }
  });
});

describe('direct methods', () => {
  it('filter, request parse, response topic', () => {
    expect(t.METHODS_FILTER).toBe('$iothub/methods/POST/#');
    expect(t.parseMethod('$iothub/methods/POST/reboot/?$rid=1')).toEqual({ name: 'reboot', rid: '1' });
    expect(t.parseMethod('$iothub/methods/POST/set-led/?$rid=abc&x=1')).toEqual({ name: 'set-led', rid: 'abc' });
    expect(t.methodResTopic(200, '1')).toBe('$iothub/methods/res/200/?$rid=1');
  });
  it('a parsed request id goes back into the response unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), (rid) => {
        const req = '$iothub/methods/POST/m/?$rid=' + encodeURIComponent(rid);
        const parsed = t.parseMethod(req)!;
        return parsed.rid === rid && t.methodResTopic(500, parsed.rid) === '$iothub/methods/res/500/?$rid=' + encodeURIComponent(rid);
      }),
    );
  });
  it('returns null for anything else', () => {
    for (const s of ['$iothub/methods/POST//?$rid=1', '$iothub/methods/POST/m/?x=1', '$iothub/methods/POST/m', '$iothub/methods/POST/a/b/?$rid=1', '$iothub/methods/res/200/?$rid=1']) {
      expect(t.parseMethod(s)).toBeNull();
    }
  });
});

describe('DPS', () => {
  it('filter and request topics', () => {
    expect(t.DPS_RES_FILTER).toBe('$dps/registrations/res/#');
    expect(t.dpsRegisterTopic(1)).toBe('$dps/registrations/PUT/iotdps-register/?$rid=1');
    expect(t.dpsPollTopic(2, '4.d0a6b2f1a0f6a0c1.0a2c8b1e-1a2b')).toBe('$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=4.d0a6b2f1a0f6a0c1.0a2c8b1e-1a2b');
    expect(t.dpsPollTopic(3, 'a b&c')).toBe('$dps/registrations/GET/iotdps-get-operationstatus/?$rid=3&operationId=a%20b%26c');
  });
  it('parses responses with status, rid and retry-after', () => {
    expect(t.parseDpsRes('$dps/registrations/res/202/?$rid=1&retry-after=3')).toEqual({ status: 202, rid: '1', retryAfter: 3 });
    expect(t.parseDpsRes('$dps/registrations/res/200/?$rid=2')).toEqual({ status: 200, rid: '2' });
    for (const s of ['$dps/registrations/res/202/?$rid=1&retry-after=soon', '$dps/registrations/res/202', '$dps/registrations/res/x/?$rid=1', '$iothub/twin/res/200/?$rid=1']) {
      expect(t.parseDpsRes(s)).toBeNull();
    }
  });
});

describe('shared pieces', () => {
  it('devicePath, twinTopic and rid', () => {
    expect(t.devicePath('d1')).toBe('devices/d1');
    expect(t.devicePath('d1', 'm1')).toBe('devices/d1/modules/m1');
    expect(t.twinTopic(3)).toBe(t.twinGetTopic(3));
    expect(t.twinTopic('a b', 1)).toBe('$iothub/twin/PATCH/properties/reported/?$rid=a%20b');
    expect(t.rid(12)).toBe('/?$rid=12');
  });
  it('split reads `{prefix}{segment}/?{bag}` and nothing else', () => {
    expect(t.split('$iothub/twin/res/200/?$rid=1&$version=2', t.TWIN_RES)).toEqual(['200', { $rid: '1', $version: '2' }]);
    expect(t.split('$iothub/twin/PATCH/properties/desired/?$version=7', t.DESIRED)).toEqual(['', { $version: '7' }]);
    expect(t.split('$iothub/twin/res/200/?a=1\nb', t.TWIN_RES)).toEqual(['200', { a: '1\nb' }]);
    for (const s of ['$iothub/twin/res/200', '$iothub/twin/res/2/0/?$rid=1', '$iothub/twin/res/200/?a=%', 'x$iothub/twin/res/200/?a=1']) {
      expect(t.split(s, t.TWIN_RES)).toBeFalsy();
    }
    expect(t.split(1 as unknown as string, t.TWIN_RES)).toBeFalsy();
    // Cut with split(), so a `/?` inside the bag stays in it, and text beyond ASCII passes through.
    expect(t.split('$iothub/methods/POST/\u6e29\u5ea6/?$rid=1&a=b/?c', t.METHODS + 'POST/')).toEqual(['\u6e29\u5ea6', { $rid: '1', a: 'b/?c' }]);
  });
  it('status and int', () => {
    expect([t.status('200'), t.status('429'), t.status('099'), t.status('1000'), t.status('2x0'), t.status('')]).toEqual([200, 429, 0, 0, 0, 0]);
    expect([t.int('0'), t.int('42'), t.int('-1'), t.int('1.5'), t.int(''), t.int(null), t.int(undefined), t.int('1'.repeat(16))]).toEqual([0, 42, -1, -1, -1, -1, -1, -1]);
    expect(t.int('9'.repeat(15))).toBe(999999999999999);
  });
});

describe('parsers never throw', () => {
  const wire = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc
      .tuple(
        fc.constantFrom('$iothub/twin/res/', '$iothub/twin/PATCH/properties/', '$iothub/methods/POST/', '$dps/registrations/res/', 'devices/d1/messages/devicebound/'),
        fc.string({ unit: fc.constantFrom('2', '0', '/', '?', '$', 'r', 'i', 'd', '=', '&', '%', 'v', 'e', 'desired', 'version', 'retry-after', '\ud800'), maxLength: 20 }),
      )
      .map(([a, b]) => a + b),
  );
  it('on random topics', () => {
    fc.assert(
      fc.property(wire, (s) => {
        t.parseC2d(s, 'd1');
        t.parseTwinRes(s);
        t.parseDesired(s);
        t.parseMethod(s);
        t.parseDpsRes(s);
      }),
      { numRuns: 3000 },
    );
  });
  it('on non-string input', () => {
    for (const f of [t.parseTwinRes, t.parseDesired, t.parseMethod, t.parseDpsRes]) {
      expect(f(undefined as unknown as string)).toBeNull();
    }
    expect(t.parseC2d(undefined as unknown as string, 'd1')).toBeNull();
  });
});
