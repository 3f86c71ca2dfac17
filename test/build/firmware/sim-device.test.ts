import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { engineBoard, MissingEngine, pickEngine } from '../../../build/firmware/sim-device.js';
import { UsageError } from '../../../build/firmware/args.js';
import { requireEspruino } from '../../support/espruino.js';

afterEach(() => vi.unstubAllEnvs());

describe('pickEngine', () => {
  it('an unknown engine is a usage mistake', () => {
    expect(() => pickEngine('v8')).toThrow(UsageError);
  });
  it('quickjs when asked, with no note', () => {
    expect(pickEngine('quickjs')).toEqual({ engine: 'quickjs' });
  });
  const e = requireEspruino();
  it.skipIf(e.missing)('espruino by default when an interpreter is found', () => {
    expect(pickEngine(undefined)).toEqual({ engine: 'espruino' });
  });
  it("QuickJS by default for a board with an AT modem, saying why; asked for, any engine", () => {
    const pico = loadBoard('pico-esp8266');
    const picked = pickEngine(undefined, pico);
    expect(picked.engine).toBe('quickjs');
    expect(picked.note).toMatch(/^pico-esp8266's esp8266 modem is played by the host in QuickJS, which runs the board's own build/);
    expect(pickEngine('quickjs', pico)).toEqual({ engine: 'quickjs' });
  });
  it('with a TINYIOT_ESPRUINO that is not an interpreter, asking for espruino is an error naming it', () => {
    vi.stubEnv('TINYIOT_ESPRUINO', '/nonexistent/espruino');
    expect(() => pickEngine('espruino')).toThrow(/TINYIOT_ESPRUINO/);
  });
  it('MissingEngine is a failure, not a usage mistake', () => {
    expect(new MissingEngine('x')).not.toBeInstanceOf(UsageError);
  });
});

describe('engineBoard', () => {
  it("QuickJS runs the board's own build (its modem too); Espruino its own stack, keeping memory, limits, crypto and pins", () => {
    const wifi = loadBoard('espruino-wifi');
    expect(engineBoard(wifi, 'quickjs')).toBe(wifi);
    const s = engineBoard(wifi, 'espruino');
    expect(s).toMatchObject({ id: 'espruino-wifi.espruino', hal: 'espruino', network: 'ethernet', tls: 'native', jsVars: wifi.jsVars, pins: wifi.pins });
    expect(s.modem).toBeUndefined();
    expect(engineBoard(loadBoard('esp8266'), 'espruino').tls).toBe('none');
    expect(engineBoard(loadBoard('emulator'), 'quickjs').id).toBe('emulator');
  });
});
