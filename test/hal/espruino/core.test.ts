import { describe, expect, it } from 'vitest';
import { jsCrypto } from '../../../firmware/crypto/index.js';
import { espruinoCore } from '../../../hal/espruino/core.js';
import { nativeCrypto } from '../../../hal/espruino/crypto.js';
import { espruinoIo } from '../../../hal/espruino/io.js';
import type { Clock, Log, Transport } from '../../../hal/types.js';
import { fakeEspruino } from '../../support/espruino-fakes/index.js';

describe('espruinoCore', () => {
  it('gives the network factory the HAL clock and log, and keeps what it returns', () => {
    const b = fakeEspruino();
    const seen: { c?: Clock; l?: Log } = {};
    const t: Transport = { connect: () => ({ write() {}, close() {} }) };
    const hal = espruinoCore(b.env, { pins: {} }, { crypto: jsCrypto, io: espruinoIo }, (c, l) => {
      seen.c = c;
      seen.l = l;
      return t;
    });
    expect(hal.transport).toBe(t);
    expect(seen.c).toBe(hal.clock);
    expect(seen.l).toBe(hal.log);
    expect(hal.wifi).toBeUndefined();
  });

  it('uses a log it is given instead of the console', () => {
    const b = fakeEspruino();
    const lines: string[] = [];
    const log: Log = { debug: () => {}, info: (m) => lines.push(m), warn: () => {}, error: () => {} };
    const hal = espruinoCore(b.env, { pins: {} }, { crypto: jsCrypto, io: espruinoIo, log }, () => ({ connect: () => ({ write() {}, close() {} }) }));
    hal.log.info('x');
    expect(lines).toEqual(['x']);
    expect(b.printed).toEqual([]);
  });

  it('makes the crypto it is given: the crypto module is asked for only with nativeCrypto', () => {
    const asked: string[] = [];
    const b = fakeEspruino();
    const env = { ...b.env, require: (n: string) => (asked.push(n), b.env.require(n)) };
    const net = () => ({ connect: () => ({ write() {}, close() {} }) });
    const hex = (h: { crypto: { hmacSha256(k: Uint8Array, m: Uint8Array): Uint8Array } }) =>
      Buffer.from(h.crypto.hmacSha256(new Uint8Array([1]), new Uint8Array([2]))).toString('hex');
    const js = espruinoCore(env, { pins: {} }, { crypto: jsCrypto, io: espruinoIo }, net);
    expect(asked).toEqual(['Storage']);
    const native = espruinoCore(env, { pins: {} }, { crypto: nativeCrypto, io: espruinoIo }, net);
    expect(asked).toEqual(['Storage', 'Storage', 'crypto']);
    expect(hex(native)).toBe(hex(js));
  });
});
