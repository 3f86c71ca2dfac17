// The session's keepalive: PINGREQ when idle, the connection dead without PINGRESP (sessionHarness.ts).
import { describe, expect, it } from 'vitest';
import { harness } from '../../support/sessionHarness.js';

describe('keepalive', () => {
  it('sends PINGREQ after keepalive seconds without sending, and stays quiet while busy', () => {
    const { s, t, take, up } = harness({ keepalive: 10 });
    up();
    take();
    expect(s.nextDeadline_()).toBe(10000);
    // Busy: a publish every 6 s keeps pushing the deadline away.
    for (let k = 1; k <= 5; k++) {
      t.now = k * 6000;
      s.tick_();
      s.publish_('t', 'x', 0, false);
      expect(s.nextDeadline_()).toBe(t.now + 10000);
    }
    expect(take().map((p) => p.type)).toEqual([3, 3, 3, 3, 3]);
    // Idle: exactly at the deadline, one PINGREQ.
    t.now = 40000;
    s.tick_();
    expect(take()).toEqual([{ type: 12 }]);
    s.data_({ type: 13 });
    expect(s.nextDeadline_()).toBe(50000);
  });

  it('declares the connection dead when PINGRESP does not come within ackTimeout', () => {
    const { s, t, take, up, ends } = harness({ keepalive: 60 }, { ackTimeout: 4000 });
    up();
    take();
    t.now = 60000;
    s.tick_();
    expect(take()).toEqual([{ type: 12 }]);
    expect(s.nextDeadline_()).toBe(64000);
    t.now = 64000;
    s.tick_();
    expect(ends).toEqual([['no PINGRESP within 4000 ms', true]]);
  });

  it('keepalive 0 turns pings off', () => {
    const { s, up } = harness({ keepalive: 0 });
    up();
    expect(s.nextDeadline_()).toBe(Infinity);
  });
});
