// The session's CONNECT and CONNACK: what it sends on open, how it takes the answer (sessionHarness.ts).
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import { connackReason } from '../../../firmware/mqtt/session.js';
import { harness } from '../../support/sessionHarness.js';

describe('CONNECT', () => {
  it('carries clientId, username, password bytes, keepalive, will and the clean flag', () => {
    const { s, take } = harness({
      clientId: 'dev-7', username: 'u', password: 'sëcret', clean: true, keepalive: 30,
      will: { topic: 'dev/7/status', payload: 'gone', qos: 1, retain: true },
    });
    s.start_();
    expect(take()).toEqual([]); // nothing before the socket is open
    s.open_();
    expect(take()).toEqual([{
      type: 1, clientId: 'dev-7', clean: true, keepalive: 30, username: 'u', password: utf8Encode('sëcret'),
      will: { topic: 'dev/7/status', payload: utf8Encode('gone'), qos: 1, retain: true },
    }]);
  });

  it('uses limits.keepalive by default, sends binary passwords as given, and omits what is absent', () => {
    const pw = new Uint8Array([0, 255, 1]);
    const { s, take } = harness({ username: 'u', password: pw }, { keepalive: 45 });
    s.start_();
    s.open_();
    expect(take()).toEqual([{ type: 1, clientId: 'dev1', clean: false, keepalive: 45, username: 'u', password: pw }]);
  });

  it('calls a password function at each dial, so every CONNECT carries what it returns then', () => {
    let n = 0;
    const { s, take } = harness({ username: 'u', password: () => 'token ' + ++n });
    for (const want of ['token 1', 'token 2']) {
      s.start_();
      s.open_();
      expect(take()).toEqual([expect.objectContaining({ type: 1, password: utf8Encode(want) })]);
      s.closed_();
    }
  });
});

describe('CONNACK', () => {
  it('accepted: reports sessionPresent and becomes connected', () => {
    const { s, up, connects } = harness();
    up(true);
    expect(connects).toEqual([true]);
    expect(s.state_).toBe(2);
  });

  const reasons: [number, string][] = [
    [1, 'unacceptable protocol version'],
    [2, 'identifier rejected'],
    [3, 'server unavailable'],
    [4, 'bad user name or password'],
    [5, 'not authorized'],
  ];
  for (const [rc, reason] of reasons) {
    it(`refused rc ${rc}: "${reason}", retry allowed with the code passed on, never connected`, () => {
      const { s, connects, ends } = harness();
      s.start_();
      s.open_();
      s.data_({ type: 2, sessionPresent: false, rc });
      expect(ends).toEqual([[`connection refused: ${reason} (rc ${rc})`, true, rc]]);
      expect(connects).toEqual([]);
      expect(s.state_).toBe(0);
      expect(connackReason(rc)).toBe(reason);
    });
  }

  it('names rc 0 and reserved codes', () => {
    expect(connackReason(0)).toBe('accepted');
    expect(connackReason(6)).toBe('reserved return code');
  });

  it('times out ackTimeout ms after dialling', () => {
    const { s, t, ends } = harness({}, { ackTimeout: 5000 });
    t.now = 100;
    s.start_();
    s.open_();
    expect(s.nextDeadline_()).toBe(5100);
    t.now = 5099;
    s.tick_();
    expect(ends).toEqual([]);
    t.now = 5100;
    s.tick_();
    expect(ends).toEqual([['no CONNACK within 5000 ms', true]]);
  });
});
