import { describe, expect, it } from 'vitest';
import { createEmulatedHal, memoryStorage, VirtualClock } from '../../../hal/emulated/index.js';

describe('createEmulatedHal', () => {
  it('fills every part with a working default', () => {
    const hal = createEmulatedHal();
    expect(hal.clock.time()).toBeGreaterThan(1_600_000_000);
    hal.storage.write('k', 'v');
    expect(hal.storage.read('k')).toBe('v');
    expect(hal.crypto.hmacSha256(new Uint8Array(1), new Uint8Array(1))).toHaveLength(32);
    expect(typeof hal.transport.connect).toBe('function');
    expect(hal.io.sense('temp')).toEqual(expect.any(Number));
    const r = hal.random();
    expect(r >= 0 && r < 1).toBe(true);
  });

  it('uses the parts it is given, and drives the default io from the given clock', () => {
    const clock = new VirtualClock();
    const storage = memoryStorage();
    const random = () => 0.25;
    const hal = createEmulatedHal({ clock, storage, random });
    expect(hal.clock).toBe(clock);
    expect(hal.storage).toBe(storage);
    expect(hal.random()).toBe(0.25);
    const a = hal.io.sense('temp');
    clock.advance(150_000);
    expect(hal.io.sense('temp')).not.toBe(a);
  });
});
