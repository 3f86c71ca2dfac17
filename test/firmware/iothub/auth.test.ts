// SAS renewal in virtual time against the fake hub, which verifies every token with node:crypto and
// closes a connection the moment its token expires, as IoT Hub does.
import { describe, expect, it } from 'vitest';
import { onClose, type Renewal, renewToken, stopRenewal, token } from '../../../firmware/iothub/auth.js';
import { emit } from '../../../firmware/iothub/ctx.js';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { nodeCrypto } from '../../../hal/emulated/crypto.js';
import type { Hal } from '../../../hal/types.js';
import { checkSas, KEY, online } from '../../support/fakeHub.js';

const txt = (b?: Uint8Array) => Buffer.from(b ?? []).toString();
const HOUR = 3_600_000;

describe('SAS renewal', () => {
  it('24 hours of telemetry on 1-hour tokens: renewed ahead of expiry, nothing lost, no token used past expiry', () => {
    const { clock, hub, dev, events } = online({ tokenTtl: 3600, renewBefore: 900 });
    // A slow link keeps a message in flight at every moment (2 s round trip, one message per 2 s),
    // so every renewal cuts some off; chunks arrive cut up, as on a board.
    hub.link.faults.delay(1000);
    hub.link.faults.split({ max: 9 });
    const acked: number[] = [], failed: string[] = [];
    let seq = 0;
    const tick = () => {
      if (clock.now() >= 24 * HOUR) return;
      const n = seq++;
      dev.send(JSON.stringify({ n }), { '$.mid': 'm' + n }, (e) => (e ? failed.push(e) : acked.push(n)));
      clock.setTimer(2000, tick);
    };
    dev.connect();
    tick();
    // Two network outages on the way, one long enough to queue messages behind a refused redial.
    clock.setTimer(5 * HOUR + 123, () => (hub.link.faults.refuse(4), hub.drop('d1')));
    clock.setTimer(13 * HOUR + 77, () => hub.drop('d1'));
    clock.advance(24 * HOUR + 60_000);

    expect(hub.violations).toEqual([]);
    expect(hub.log.filter((l) => l.startsWith('expire'))).toEqual([]);
    expect(events.filter((e) => e.startsWith('error') && !e.includes('ECONNREFUSED'))).toEqual([]);
    // Every token valid when it reached the hub, and never sent with less than renewBefore left
    // (less the few seconds of link delay): every dial mints its own.
    const cs = hub.connects;
    for (const c of cs) {
      const se = checkSas(txt(c.p.password), 'hub.test/devices/d1', KEY, c.at) as number;
      expect(se - c.at).toBeGreaterThan(900 - 5);
      expect(se - c.at).toBeLessThanOrEqual(3600);
    }
    const renewals = events.filter((e) => e === 'close reconnect').length;
    expect(renewals).toBeGreaterThanOrEqual(31); // 24 h / 45 min = 32, less what the outages reset
    expect(cs.length).toBe(1 + renewals + 2);
    // No message lost: every one reached the hub and was acknowledged exactly once to the app.
    expect(seq).toBe(43_200);
    expect(failed).toEqual([]);
    expect(acked).toEqual([...Array(seq).keys()]);
    const mids = new Set(hub.telemetry.map((t) => t.props['$.mid']));
    expect(mids.size).toBe(seq);
    // Renewals did cut messages off mid-flight; those came again as duplicates (QoS 1).
    expect(hub.telemetry.filter((t) => t.dup).length).toBeGreaterThanOrEqual(renewals);
    for (const t of hub.telemetry) expect(t.body).toBe(JSON.stringify({ n: +t.props['$.mid']!.slice(1) }));
  });

  it('a message in flight at renewal goes again (DUP) on the new connection; its callback fires once', () => {
    const { clock, hub, dev } = online({ tokenTtl: 120, renewBefore: 60 });
    hub.link.faults.delay(500);
    const cbs: (string | undefined)[] = [];
    dev.connect();
    clock.advance(59_900);
    dev.send('x', { '$.mid': 'x' }, (e) => cbs.push(e));
    clock.advance(5000);
    expect(hub.connects).toHaveLength(2);
    expect(hub.connects[1]!.at - hub.connects[0]!.at).toBe(60);
    expect(hub.telemetry.map((t) => [t.props['$.mid'], t.dup])).toEqual([['x', false], ['x', true]]);
    expect(cbs).toEqual([undefined]);
  });

  it('the clock jumps ahead: the hub drops the expired connection and the device reconnects at once with a fresh token', () => {
    const { clock, hub, dev, events } = online();
    dev.connect();
    clock.advance(1000);
    clock.epoch += 3600; // e.g. an NTP correction: the token is due now
    hub.expire();
    expect(hub.log.slice(-1)).toEqual(['expire d1']);
    clock.advance(0);
    expect(events).toEqual(['connect', 'close closed by peer', 'connect']);
    expect(hub.connects[1]!.at - hub.connects[0]!.at).toBe(3601);
    const c = hub.connects[1]!;
    expect(checkSas(txt(c.p.password), 'hub.test/devices/d1', KEY, c.at)).toBe(c.at + 3600);
    expect(hub.violations).toEqual([]);
  });

  it('the clock jumps into the renewBefore window: the next reconnect carries a fresh token, not the almost-expired one', () => {
    const { clock, hub, dev, events } = online({ tokenTtl: 3600, renewBefore: 900 });
    dev.connect();
    clock.advance(1000);
    // 599 s of the token left by the wall clock: inside the 900 s window, not expired, and the
    // renewal timer (monotonic) is still 2699 s away.
    clock.epoch += 3000;
    hub.drop('d1');
    clock.advance(0);
    expect(events).toEqual(['connect', 'close connection dropped', 'connect']);
    expect(hub.connects).toHaveLength(2);
    const c = hub.connects[1]!;
    expect(checkSas(txt(c.p.password), 'hub.test/devices/d1', KEY, c.at)).toBe(c.at + 3600);
    // The dials after a refused one, while down, carry the fresh token too.
    clock.epoch += 3000;
    hub.link.faults.refuse(2);
    hub.drop('d1');
    clock.advance(120_000);
    expect(dev.connected).toBe(true);
    const tail = hub.connects.slice(2);
    expect(tail.length).toBeGreaterThan(0);
    for (const x of tail) expect(checkSas(txt(x.p.password), 'hub.test/devices/d1', KEY, x.at) as number - x.at).toBeGreaterThan(3600 - 130);
    expect(hub.violations).toEqual([]);
  });

  it('renewal while the network is down dials at once with the new token', () => {
    const { clock, hub, dev } = online({ tokenTtl: 600, renewBefore: 100 });
    dev.connect();
    clock.advance(1000);
    hub.link.faults.refuse(1000);
    hub.drop('d1');
    clock.advance(498_999);
    const before = hub.link.attempts;
    clock.advance(1);
    expect(hub.link.attempts).toBe(before + 1);
    hub.link.faults.reset();
    clock.advance(60_000);
    expect(dev.connected).toBe(true);
    const c = hub.connects[hub.connects.length - 1]!;
    expect(checkSas(txt(c.p.password), 'hub.test/devices/d1', KEY, c.at)).toBeGreaterThan(c.at);
    expect(hub.violations).toEqual([]);
  });
});

describe('renewal on its own', () => {
  // A device's renewal fields, with a client stand-in that dials at once and records the expiry of
  // the token it reads.
  const setup = () => {
    const clock = new VirtualClock();
    const hal = { clock, crypto: nodeCrypto() } as unknown as Hal;
    const tokens: number[] = [], errors: string[] = [];
    const dev: Renewal = Object.assign(Object.create({ emit_: emit, renewToken_: renewToken, stopRenewal_: stopRenewal }), {
      hal_: hal, handlers_: { error: (e: string) => errors.push(e) }, sasResource_: 'h/devices/d', sasKey_: KEY, tokenTtl_: 600, renewBefore_: 100,
      renewTimer_: 0, tokenExpiry_: 0,
      client_: { connect: () => tokens.push(checkSas(token.call(dev), 'h/devices/d', KEY, clock.time()) as number) },
    });
    const r = { go: () => dev.renewToken_(), chk: () => onClose.call(dev, 'closed'), stop: () => dev.stopRenewal_() };
    return { clock, r, tokens, errors };
  };

  it('mints a token at go() (renewToken), renews `before` seconds ahead of expiry, and chk() (a close, onClose) renews only a due token', () => {
    const { clock, r, tokens } = setup();
    const t0 = clock.time();
    r.go();
    expect(tokens).toEqual([t0 + 600]);
    r.chk();
    expect(tokens).toHaveLength(1);
    clock.advance(500_000);
    expect(tokens).toEqual([t0 + 600, t0 + 1100]);
    clock.epoch += 600; // the token is due now
    r.chk();
    expect(tokens).toHaveLength(3);
  });

  it('after stop() (stopRenewal) nothing is minted, not even by chk() on a due token', () => {
    const { clock, r, tokens } = setup();
    r.go();
    r.stop();
    clock.epoch += 3600;
    r.chk();
    clock.advance(3_600_000);
    expect(tokens).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });
});
