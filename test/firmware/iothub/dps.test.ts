// DPS registration over MQTT against the fake provisioning service, in virtual time.
import { describe, expect, it } from 'vitest';
import { register } from '../../../firmware/iothub/dps.js';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { FakeDps } from '../../support/fakeDps.js';
import { checkSas, KEY } from '../../support/fakeHub.js';

function setup(epoch?: number) {
  const clock = new VirtualClock(epoch);
  const dps = new FakeDps(clock);
  const results: string[] = [];
  const run = (o: object = {}) =>
    register(dps.hal(), { idScope: '0ne00000001', registrationId: 'dev-1', key: KEY, tls: false, ...o }, (e, r) => results.push(`${e} ${JSON.stringify(r)}`));
  return { clock, dps, results, run };
}

describe('DPS register', () => {
  it('connects with the registration token, registers, polls after retry-after, returns the assignment', () => {
    const { clock, dps, results, run } = setup();
    run({ host: 'dps.test', port: 8884 });
    clock.advance(60_000);
    expect(results).toEqual(['undefined {"assignedHub":"hub-7.azure-devices.net","deviceId":"dev-1"}']);
    const opts = dps.link.peers[0]!.opts;
    expect(opts).toMatchObject({ host: 'dps.test', port: 8884, tls: false });
    expect(dps.log).toEqual(['connect dev-1', 'subscribe $dps/registrations/res/#', 'disconnect']);
    // PUT, then two 202 polls and the 200, each retry-after (2 s) after the previous answer.
    expect(dps.requests.map(([t, topic, body]) => `${t} ${topic} ${body}`)).toEqual([
      '0 $dps/registrations/PUT/iotdps-register/?$rid=1 {"registrationId":"dev-1"}',
      '2000 $dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=op%2F1%20x ',
      '4000 $dps/registrations/GET/iotdps-get-operationstatus/?$rid=3&operationId=op%2F1%20x ',
      '6000 $dps/registrations/GET/iotdps-get-operationstatus/?$rid=4&operationId=op%2F1%20x ',
    ]);
    expect(clock.pending()).toBe(0);
  });

  it('the default endpoint, and the token: sr = {idScope}/registrations/{id}, skn = registration, 1 hour', () => {
    const { clock, dps, run } = setup();
    run({ tls: undefined });
    clock.advance(0);
    expect(dps.link.peers[0]!.opts).toMatchObject({ host: 'global.azure-devices-provisioning.net', port: 8883, tls: true });
    expect(dps.log[0]).toBe('connect dev-1');
    const { p, at } = dps.connects[0]!;
    expect(p).toMatchObject({ clientId: 'dev-1', username: '0ne00000001/registrations/dev-1/api-version=2019-03-31', clean: true });
    const pw = Buffer.from(p.password!).toString();
    expect(checkSas(pw, '0ne00000001/registrations/dev-1', KEY, at, 'registration')).toBe(at + 3600);
    expect(checkSas(pw, '0ne00000001/registrations/dev-1', KEY, at, 'other')).toBe('skn is registration, not other');
  });

  it('without retry-after the poll waits 3 s; 429 is retried after its retry-after', () => {
    const { clock, dps, results, run } = setup();
    dps.retryAfter = undefined;
    dps.polls = 1;
    dps.replies = [429];
    run();
    clock.advance(60_000);
    expect(results[0]).toMatch(/^undefined /);
    expect(dps.requests.map(([t, topic]) => `${t} ${topic.split('/')[2]}`)).toEqual(['0 PUT', '3000 PUT', '6000 GET', '9000 GET']);
  });

  it('a failed registration or an error status ends the attempt with a message', () => {
    const a = setup();
    a.dps.result = 'failed';
    a.run();
    a.clock.advance(60_000);
    expect(a.results).toEqual(['dps: status 200 failed undefined']);
    const b = setup();
    b.dps.replies = [401];
    b.run();
    b.clock.advance(60_000);
    expect(b.results).toEqual(['dps: status 401 undefined']);
    expect(b.dps.log.slice(-1)).toEqual(['disconnect']);
  });

  it('no answer: fails after ackTimeout; a wrong key: the refusal; both reported once', () => {
    const a = setup();
    a.dps.replies = ['silent'];
    a.run();
    a.clock.advance(60_000);
    expect(a.results).toEqual(['dps: no answer within 10000 ms undefined']);
    const b = setup();
    b.run({ key: Buffer.from('wrong key').toString('base64') });
    b.clock.advance(60_000);
    expect(b.results).toEqual(['dps: connection refused: not authorized (rc 5) undefined']);
    expect(b.dps.log).toEqual(['refuse bad signature']);
    expect(b.dps.link.attempts).toBe(1);
  });

  it('an operation that never completes is given up after 20 requests', () => {
    const { clock, dps, results, run } = setup();
    dps.polls = 1000;
    run();
    clock.advance(3_600_000);
    expect(results).toEqual(['dps: no result after 20 requests undefined']);
    expect(dps.requests).toHaveLength(20);
  });

  it('clock not set: fails at once without dialling; bad arguments throw', () => {
    const { dps, results, run } = setup(0);
    run();
    expect(results).toEqual(['clock not set: cannot create a SAS token until the real time is known undefined']);
    expect(dps.link.attempts).toBe(0);
    expect(() => run({ registrationId: 'a/b' })).toThrow("dps: registration id 'a/b': character '/' is not allowed");
    expect(() => run({ idScope: '' })).toThrow('dps: idScope and key are required');
  });
});
