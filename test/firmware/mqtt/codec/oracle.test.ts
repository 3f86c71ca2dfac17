// Our codec against the reference codec (mqtt-packet 9, protocol 4), in both directions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../../../../firmware/mqtt/codec/encode.js';
import { fromOracle, oracleGenerate, oracleParse, plain } from '../../../support/mqttPacketOracle.js';
import { packet, packetOf } from './arbitraries.js';
import { goldens } from './golden.js';
import { decodeChunks } from './helpers.js';

const RUNS = 1000;
const TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

describe('our encode -> mqtt-packet parse', () => {
  for (const t of TYPES) {
    it(`type ${t}`, () => {
      fc.assert(fc.property(packetOf[t]!, (p) => {
        const { packets, errors } = oracleParse(encode(p));
        expect(errors).toEqual([]);
        expect(packets.length).toBe(1);
        expect(plain(fromOracle(packets[0]!))).toEqual(plain(p));
      }), { numRuns: t > 11 ? 3 : RUNS / 10 });
    });
  }

  it('a random stream of mixed packets', () => {
    fc.assert(fc.property(fc.array(packet, { minLength: 1, maxLength: 10 }), (ps) => {
      const bytes = ps.map(encode);
      const { packets, errors } = oracleParse(Buffer.concat(bytes));
      expect(errors).toEqual([]);
      expect(packets.map((x) => plain(fromOracle(x)))).toEqual(ps.map(plain));
    }), { numRuns: RUNS / 4 });
  });
});

describe('mqtt-packet generate -> our decoder', () => {
  for (const t of TYPES) {
    it(`type ${t}`, () => {
      fc.assert(fc.property(packetOf[t]!, (p) => {
        const bytes = oracleGenerate(p);
        // Both encoders are canonical, so the bytes must be identical too.
        expect(bytes).toEqual(encode(p));
        expect(decodeChunks([bytes])).toEqual({ packets: [plain(p)], errors: [] });
      }), { numRuns: t > 11 ? 3 : RUNS / 10 });
    });
  }

  it('a random stream of mixed packets', () => {
    fc.assert(fc.property(fc.array(packet, { minLength: 1, maxLength: 10 }), (ps) => {
      const bytes = Buffer.concat(ps.map(oracleGenerate));
      expect(decodeChunks([bytes])).toEqual({ packets: ps.map(plain), errors: [] });
    }), { numRuns: RUNS / 4 });
  });
});

describe('goldens agree with mqtt-packet', () => {
  for (const g of goldens) {
    it(g.name, () => {
      expect(oracleGenerate(g.packet)).toEqual(g.bytes);
      const { packets, errors } = oracleParse(g.bytes);
      expect(errors).toEqual([]);
      expect(packets.map((x) => plain(fromOracle(x)))).toEqual([plain(g.packet)]);
    });
  }
});
