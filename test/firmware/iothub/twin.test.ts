// Device twin against the fake hub: GET, reported PATCH with $version, desired notifications, the
// refresh after every reconnect (only with an onDesired handler: nothing else would use it),
// bounded retries on 429/5xx, and timeouts, in virtual time.
import { describe, expect, it } from 'vitest';
import { online } from '../../support/fakeHub.js';

type Ev = string;

describe('twin requests', () => {
  it('getTwin returns desired and reported; report returns the new reported $version', () => {
    const { clock, hub, dev } = online();
    hub.twin('d1').desired = { $version: 4, fan: 'on' };
    const ev: Ev[] = [];
    dev.connect();
    dev.getTwin((e, t) => ev.push(`twin ${e} ${JSON.stringify(t)}`));
    dev.report({ temp: 21.5, nested: { a: null } }, (e, v) => ev.push(`reported ${e} ${v}`));
    clock.advance(0);
    expect(ev).toEqual([
      'twin undefined {"desired":{"$version":4,"fan":"on"},"reported":{"$version":1}}',
      'reported undefined 2',
    ]);
    expect(hub.twin('d1').reported).toEqual({ $version: 2, temp: 21.5, nested: { a: null } });
    // Subscribed to responses (and desired) before the first request went out; $rid correlates.
    expect(hub.violations).toEqual([]);
    expect(hub.twinRequests.map((r) => r.topic)).toEqual(['$iothub/twin/GET/?$rid=1', '$iothub/twin/PATCH/properties/reported/?$rid=2']);
    expect(hub.twinRequests[1]!.body).toBe('{"temp":21.5,"nested":{"a":null}}');
  });

  it('answers are matched by $rid, whatever their order; unknown ids are ignored', () => {
    const { clock, hub, dev } = online();
    const ev: Ev[] = [];
    dev.connect();
    clock.advance(0);
    hub.twinReplies = ['silent', 'silent'];
    dev.report({ a: 1 }, (e, v) => ev.push(`a ${e} ${v}`));
    dev.report({ b: 2 }, (e, v) => ev.push(`b ${e} ${v}`));
    clock.advance(0);
    const c = hub.sessions.d1!.conn!;
    c.publish('$iothub/twin/res/204/?$rid=99&$version=7', '');
    c.publish('$iothub/twin/res/204/?$rid=2&$version=11', '');
    c.publish('$iothub/twin/res/204/?$rid=1&$version=x', ''); // not a reply: $version is no number
    c.publish('$iothub/twin/res/2000/?$rid=1', ''); // nor is this: the status has 4 digits
    c.publish('$iothub/twin/res/400/?$rid=1', '{"message":"bad"}');
    clock.advance(0);
    expect(ev).toEqual(['b undefined 11', 'a twin: status 400 undefined']);
  });

  it('429 is retried 3 times after growing delays, then fails; the same $rid is reused', () => {
    const { clock, hub, dev } = online();
    const ev: Ev[] = [];
    dev.connect();
    clock.advance(0);
    hub.twinReplies = [429, 429, 429, 429, 429];
    dev.getTwin((e) => ev.push(`${clock.now()} ${e}`));
    clock.advance(60_000);
    expect(ev).toEqual([`${1500 + 3000 + 6000} twin: status 429`]);
    expect(hub.twinRequests.map((r) => r.topic)).toEqual(Array(4).fill('$iothub/twin/GET/?$rid=1'));
    expect(hub.twinReplies).toEqual([429]);
  });

  it('5xx then success: the retry succeeds', () => {
    const { clock, hub, dev } = online();
    const ev: Ev[] = [];
    dev.connect();
    clock.advance(0);
    hub.twinReplies = [500, 503];
    dev.report({ x: 1 }, (e, v) => ev.push(`${e} ${v}`));
    clock.advance(10_000);
    expect(ev).toEqual(['undefined 2']);
    expect(hub.twinRequests).toHaveLength(3);
  });

  it('4xx other than 429 fails at once; report without a callback reports through the error event', () => {
    const { clock, hub, dev, events } = online();
    dev.connect();
    clock.advance(0);
    hub.twinReplies = [400];
    dev.report({ x: 1 });
    clock.advance(0);
    expect(events).toEqual(['connect', 'error twin: status 400']);
    expect(hub.twinRequests).toHaveLength(1);
  });

  it('no answer: the request fails ackTimeout after the hub acknowledged it', () => {
    const { clock, hub, dev } = online({ limits: { ackTimeout: 5000 } });
    const ev: Ev[] = [];
    dev.connect();
    clock.advance(0);
    hub.twinReplies = ['silent'];
    dev.getTwin((e, t) => ev.push(`${clock.now()} ${e} ${t}`));
    clock.advance(4999);
    expect(ev).toEqual([]);
    clock.advance(1);
    expect(ev).toEqual(['5000 twin: no answer within 5000 ms undefined']);
    clock.advance(60_000);
    expect(ev).toHaveLength(1);
  });

  it('a request made offline waits for the connection; its timeout starts once the hub has it', () => {
    const { clock, hub, dev } = online({ limits: { ackTimeout: 5000 } });
    const ev: Ev[] = [];
    dev.report({ boot: 1 }, (e, v) => ev.push(`${e} ${v}`));
    clock.advance(60_000);
    expect(ev).toEqual([]);
    dev.connect();
    clock.advance(0);
    expect(ev).toEqual(['undefined 2']);
    expect(hub.violations).toEqual([]);
  });

  it('end() fails pending requests (waiting for an answer or for a retry) and leaves no timer', () => {
    const { clock, hub, dev } = online();
    const ev: Ev[] = [];
    dev.connect();
    clock.advance(0);
    hub.twinReplies = ['silent', 429];
    dev.getTwin((e) => ev.push(`get ${e}`));
    dev.report({ a: 1 }, (e) => ev.push(`report ${e}`));
    clock.advance(100);
    expect(ev).toEqual([]);
    dev.end();
    expect(ev).toEqual(['get twin: ended', 'report twin: ended']);
    clock.advance(0);
    expect(clock.pending()).toBe(0);
    dev.connect();
    clock.advance(60_000);
    expect(ev).toHaveLength(2);
  });
});

describe('desired properties', () => {
  it('patches arrive with their $version; the whole desired document after every connect when newer', () => {
    const { clock, hub, dev } = online();
    hub.twin('d1').desired = { $version: 3, fan: 'off', speed: 1 };
    const ev: Ev[] = [];
    dev.onDesired((p, v, full) => ev.push(`${JSON.stringify(p)} ${v} ${full ?? ''}`));
    dev.connect();
    clock.advance(0);
    expect(ev).toEqual(['{"$version":3,"fan":"off","speed":1} 3 true']);
    hub.setDesired('d1', { fan: 'on' });
    clock.advance(0);
    expect(ev.slice(1)).toEqual(['{"fan":"on","$version":4} 4 ']);
    // A reconnect with nothing new: the twin is fetched again but nothing is delivered.
    hub.drop('d1');
    clock.advance(60_000);
    expect(hub.twinRequests).toHaveLength(2);
    expect(ev).toHaveLength(2);
    // Changes made while offline are not sent by the hub: the refresh after the reconnect brings them.
    hub.drop('d1');
    hub.setDesired('d1', { speed: 3 });
    clock.advance(60_000);
    expect(hub.twinRequests).toHaveLength(3);
    expect(ev.slice(2)).toEqual(['{"$version":5,"fan":"on","speed":3} 5 true']);
    expect(hub.violations).toEqual([]);
  });

  it('a handler registered while connected gets the whole desired document at once', () => {
    const { clock, hub, dev } = online();
    hub.twin('d1').desired = { $version: 2, fan: 'on' };
    const ev: Ev[] = [];
    dev.on('connect', () => dev.onDesired((p, v, full) => ev.push(`${JSON.stringify(p)} ${v} ${full}`)));
    dev.connect();
    clock.advance(0);
    expect(ev).toEqual(['{"$version":2,"fan":"on"} 2 true']);
    expect(hub.twinRequests).toHaveLength(1);
    expect(hub.violations).toEqual([]);
  });

  it('without a handler a reconnect fetches nothing, and getTwin() still answers with the current twin', () => {
    const { clock, hub, dev } = online();
    const ev: Ev[] = [];
    dev.connect();
    dev.report({ boot: 1 });
    dev.getTwin((e, t) => ev.push(`${e} ${JSON.stringify(t?.desired)}`));
    clock.advance(0);
    expect(hub.twinRequests).toHaveLength(2);
    // Desired changes while the device is away: the hub will not send them as patches.
    hub.drop('d1');
    hub.setDesired('d1', { fan: 'off' });
    clock.advance(60_000);
    expect(dev.connected).toBe(true);
    expect(hub.log.filter((l) => l.startsWith('connect'))).toHaveLength(2);
    expect(hub.twinRequests).toHaveLength(2);
    dev.getTwin((e, t) => ev.push(`${e} ${JSON.stringify(t?.desired)}`));
    clock.advance(0);
    expect(ev).toEqual(['undefined {"$version":1}', 'undefined {"$version":2,"fan":"off"}']);
    expect(hub.violations).toEqual([]);
  });

  it('an old or repeated $version is not delivered again', () => {
    const { clock, hub, dev } = online();
    const ev: number[] = [];
    dev.onDesired((_, v) => ev.push(v));
    dev.connect();
    clock.advance(0);
    const c = hub.sessions.d1!.conn!;
    for (const v of [5, 5, 4, 6]) c.publish(`$iothub/twin/PATCH/properties/desired/?$version=${v}`, `{"$version":${v}}`);
    clock.advance(0);
    expect(ev).toEqual([1, 5, 6]);
  });

  it('a failed refresh is reported through the error event', () => {
    const { clock, hub, dev, events } = online();
    dev.onDesired(() => {});
    hub.twinReplies = [400];
    dev.connect();
    clock.advance(0);
    expect(events).toEqual(['connect', 'error twin: status 400']);
  });
});
