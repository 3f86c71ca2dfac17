// Packets the server must not send, and wire errors, end the connection (sessionHarness.ts).
import { describe, expect, it } from 'vitest';
import type { Packet } from '../../../firmware/mqtt/codec/packet.js';
import { harness } from '../../support/sessionHarness.js';

describe('protocol violations by the server', () => {
  const cases: [string, Packet, RegExp][] = [
    ['CONNECT', { type: 1, clientId: 'x', clean: true, keepalive: 0 }, /^bad packet from server: \[MQTT-4\.8\.0-1\] unexpected packet type 1$/],
    ['a second CONNACK', { type: 2, sessionPresent: false, rc: 0 }, /^bad packet from server: \[MQTT-4\.8\.0-1\] unexpected packet type 2$/],
    ['SUBSCRIBE', { type: 8, id: 1, subs: [{ topic: 'a', qos: 0 }] }, /^bad packet from server: \[MQTT-4\.8\.0-1\]/],
    ['UNSUBSCRIBE', { type: 10, id: 1, topics: ['a'] }, /^bad packet from server: \[MQTT-4\.8\.0-1\]/],
    ['PINGREQ', { type: 12 }, /^bad packet from server: \[MQTT-4\.8\.0-1\]/],
    ['DISCONNECT', { type: 14 }, /^bad packet from server: \[MQTT-4\.8\.0-1\]/],
  ];
  for (const [name, p, re] of cases) {
    it(`${name} from the server ends the connection`, () => {
      const { s, up, ends } = harness();
      up();
      s.data_(p);
      expect(ends.length).toBe(1);
      expect(ends[0]![0]).toMatch(re);
      expect(ends[0]![1]).toBe(true);
      expect(s.state_).toBe(0);
    });
  }

  it('anything but CONNACK first breaks [MQTT-3.2.0-1]', () => {
    const { s, ends, msgs } = harness();
    s.start_();
    s.open_();
    s.data_({ type: 3, topic: 'a', payload: new Uint8Array(0), qos: 0, retain: false, dup: false });
    expect(ends).toEqual([['bad packet from server: [MQTT-3.2.0-1] unexpected packet type 3', true]]);
    expect(msgs).toEqual([]);
  });
});
