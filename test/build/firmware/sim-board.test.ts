import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { simBoard } from '../../../build/firmware/sim-board.js';

describe('simBoard', () => {
  it('keeps memory, limits, crypto and pins, swaps the HAL for the emulated one', () => {
    const b = loadBoard('rak5010');
    const s = simBoard(b);
    expect(s).toMatchObject({ id: 'rak5010.sim', hal: 'emulated', espruinoBoard: null, jsVars: 12500, crypto: 'none', limits: b.limits, pins: b.pins });
    expect(s.modem).toBeUndefined();
    expect(simBoard(loadBoard('emulator')).id).toBe('emulator');
  });
});
