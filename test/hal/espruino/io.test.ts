import { describe, expect, it } from 'vitest';
import { espruinoIo } from '../../../hal/espruino/io.js';
import { fakeEspruino } from '../../support/espruino-fakes/index.js';

describe('espruinoIo', () => {
  const setup = () => {
    const b = fakeEspruino();
    const io = espruinoIo(b.env, { led1: 'D2', led2: null, button: 'D0' });
    return { b, io };
  };

  it('writes board pin names through to digitalWrite', () => {
    const { b, io } = setup();
    io.write('led1', true);
    expect(b.pins.levels).toEqual({ D2: 1 });
    io.write('led1', false);
    io.write('B12', true);
    expect(b.pins.levels).toEqual({ D2: 0, B12: 1 });
  });

  it('reads inputs as booleans', () => {
    const { b, io } = setup();
    expect(io.read('button')).toBe(false);
    b.pins.levels.D0 = 1;
    expect(io.read('button')).toBe(true);
  });

  it('senses temp from E.getTemperature and anything else by analogRead', () => {
    const { b, io } = setup();
    b.E.temperature = 31.25;
    expect(io.sense('temp')).toBe(31.25);
    b.pins.analog.A0 = 0.42;
    expect(io.sense('A0')).toBe(0.42);
  });

  it('says clearly when the board lacks a named pin', () => {
    const { io } = setup();
    expect(() => io.write('led2', true)).toThrow(/this board has no led2/);
  });
});
