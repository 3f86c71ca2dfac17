import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packet } from '../firmware/mqtt/codec/arbitraries.js';
import { fromOracle, oracleGenerate, oracleParse, plain, toOracle } from './mqttPacketOracle.js';

describe('mqtt-packet oracle converter', () => {
  it('maps our shape to mqtt-packet objects and back, through its bytes', () => {
    fc.assert(fc.property(packet, (p) => {
      const { packets, errors } = oracleParse(oracleGenerate(p));
      expect(errors).toEqual([]);
      expect(plain(fromOracle(packets[0]!))).toEqual(plain(p));
    }), { numRuns: 300 });
  });

  it('names mqtt-packet fields as mqtt-packet does', () => {
    expect(toOracle({ type: 3, topic: 't', payload: new Uint8Array([1]), qos: 1, retain: true, dup: false, id: 7 }))
      .toEqual({ cmd: 'publish', topic: 't', payload: Buffer.from([1]), qos: 1, retain: true, dup: false,
        messageId: 7 });
    expect(toOracle({ type: 2, sessionPresent: true, rc: 5 }))
      .toEqual({ cmd: 'connack', sessionPresent: true, returnCode: 5 });
    expect(toOracle({ type: 6, id: 3 })).toEqual({ cmd: 'pubrel', messageId: 3 });
  });

  it('reports what mqtt-packet rejects, and refuses other protocol versions', () => {
    expect(oracleParse(new Uint8Array([0x36, 0])).errors.length).toBe(1);
    expect(() => fromOracle({ cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'x' }))
      .toThrow(/not MQTT 3.1.1/);
  });
});
