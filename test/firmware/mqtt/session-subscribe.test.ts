// The session's SUBSCRIBE and UNSUBSCRIBE, and the argument checks of its public calls (sessionHarness.ts).
import { describe, expect, it } from 'vitest';
import { harness } from '../../support/sessionHarness.js';

describe('SUBSCRIBE / UNSUBSCRIBE', () => {
  it('reports SUBACK codes per filter, 0x80 included, matched by id', () => {
    const { s, up, take } = harness();
    up();
    take();
    const got: number[][] = [];
    const errs: unknown[] = [];
    s.request_({ type: 8, subs: [{ topic: 'a', qos: 2 }, { topic: 'b', qos: 1 }] }, (e, codes) => (errs.push(e), got.push(codes)));
    s.request_({ type: 8, subs: [{ topic: 'c', qos: 0 }] }, (e, codes) => (errs.push(e), got.push(codes)));
    const [a, b] = take() as { id: number }[];
    s.data_({ type: 9, id: b!.id, codes: [0x80] });
    s.data_({ type: 9, id: a!.id, codes: [1, 0x80] });
    s.data_({ type: 9, id: a!.id, codes: [1, 0x80] }); // answered already: ignored
    expect(got).toEqual([[0x80], [1, 0x80]]);
    expect(errs).toEqual(['subscribe refused (0x80)', 'subscribe refused (0x80)']);
  });

  it('times out a missing SUBACK like any reply', () => {
    const { s, t, up, ends } = harness({ keepalive: 0 }, { ackTimeout: 3000 });
    up();
    t.now = 10;
    s.request_({ type: 10, topics: ['a'] }, () => {});
    expect(s.nextDeadline_()).toBe(3010);
    t.now = 3010;
    s.tick_();
    expect(ends).toEqual([['no UNSUBACK within 3000 ms', true]]);
  });

  it('throws on an empty filter list, a bad filter QoS, an empty or wildcard topic, a bad qos', () => {
    const { s } = harness();
    expect(() => s.request_({ type: 8, subs: [] }, () => {})).toThrow();
    expect(() => s.request_({ type: 8, subs: [{ topic: 'a', qos: 3 as 0 }] }, () => {})).toThrow(/qos/);
    expect(() => s.request_({ type: 10, topics: [] }, () => {})).toThrow();
    expect(() => s.publish_('', 'x', 0, false)).toThrow(/empty topic/);
    expect(() => s.publish_('a/+/b', 'x', 0, false)).toThrow(/wildcard/);
    expect(() => s.publish_('a/#', 'x', 0, false)).toThrow(/wildcard/);
    expect(() => s.publish_('a', 'x', 3 as 0, false)).toThrow(/qos/);
  });
});
