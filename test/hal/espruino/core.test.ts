import { describe, expect, it } from 'vitest';
import { espruinoCore } from '../../../hal/espruino/core.js';
import type { Clock, Log, Transport } from '../../../hal/types.js';
import { fakeEspruino } from '../../support/espruino-fakes/index.js';

describe('espruinoCore', () => {
  it('gives the network factory the HAL clock and log, and keeps what it returns', () => {
    const b = fakeEspruino();
    const seen: { c?: Clock; l?: Log } = {};
    const t: Transport = { connect: () => ({ write() {}, close() {} }) };
    const hal = espruinoCore(b.env, { tls: 'none', crypto: 'none', network: 'none', pins: {} }, (c, l) => {
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
    const hal = espruinoCore(b.env, { tls: 'none', crypto: 'none', network: 'none', pins: {} }, () => ({ connect: () => ({ write() {}, close() {} }) }), log);
    hal.log.info('x');
    expect(lines).toEqual(['x']);
    expect(b.printed).toEqual([]);
  });

  it('asks for the crypto module only on boards with native SHA-256', () => {
    const asked: string[] = [];
    const b = fakeEspruino();
    const env = { ...b.env, require: (n: string) => (asked.push(n), b.env.require(n)) };
    espruinoCore(env, { tls: 'none', crypto: 'none', network: 'none', pins: {} }, () => ({ connect: () => ({ write() {}, close() {} }) }));
    expect(asked).toEqual(['Storage']);
    espruinoCore(env, { tls: 'none', crypto: 'sha256', network: 'none', pins: {} }, () => ({ connect: () => ({ write() {}, close() {} }) }));
    expect(asked).toEqual(['Storage', 'Storage', 'crypto']);
  });
});
