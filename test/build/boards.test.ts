import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CRYPTOS, HALS, MODEMS, NETWORKS, TLS_MODES, boardBudget, boardIds, boardLimits, defaultBoardsDir,
  espruinoBlockSize, listBoards, loadBoard, orList, validateBoard,
} from '../../build/boards.js';
import { defaultLimits } from '../../firmware/mqtt/limits.js';

type Obj = Record<string, any>;

/** A valid native-WiFi board, independent of the shipped files. */
function good(): Obj {
  return {
    id: 'foo', name: 'Foo', espruinoBoard: 'FOO', mcu: 'X1', jsVars: 5000, blockSize: 13, ramKB: 96,
    flashCodeKB: 48, network: 'wifi', tls: 'native', crypto: 'sha256', hal: 'espruino',
    pins: { led1: 'B2', led2: null, button: 'C13' },
    budget: { maxShare: 0.5, maxBundleBytes: 16384 }, notes: 'Test board.', source: ['docs/boards.md: made up for a test'],
  };
}

/** A valid AT-modem board. */
function atBoard(): Obj {
  return {
    ...good(), network: 'wifi-at', tls: 'offload', hal: 'at-modem',
    modem: { chip: 'esp8266', serial: 'Serial2', baud: 115200 },
    pins: { led1: 'B2', led2: 'B12', button: 'C13', modemTx: 'A2', modemRx: 'A3' },
  };
}

const errorOf = (obj: unknown, file = 'boards/foo.json'): string => {
  try {
    validateBoard(obj, file);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected validateBoard to throw');
};

describe('validateBoard: schema checks name the file and the field', () => {
  it('accepts a valid board and drops the editor-only $schema key', () => {
    const b = validateBoard({ $schema: './schema.json', ...good() }, 'boards/foo.json');
    expect(b.id).toBe('foo');
    expect('$schema' in b).toBe(false);
    expect(validateBoard(atBoard(), 'boards/foo.json').modem?.chip).toBe('esp8266');
  });

  it('reports a missing field', () => {
    const o = good();
    delete o.network;
    expect(errorOf(o)).toBe("boards/foo.json: missing field 'network'");
  });

  it('reports a missing nested field with its path', () => {
    const o = good();
    delete o.budget.maxBundleBytes;
    expect(errorOf(o)).toBe("boards/foo.json: missing field 'budget.maxBundleBytes'");
  });

  it('reports a wrong type with the value it got', () => {
    expect(errorOf({ ...good(), jsVars: 'lots' })).toBe(`boards/foo.json: field 'jsVars' must be an integer (got "lots")`);
    expect(errorOf({ ...good(), jsVars: 12.5 })).toBe("boards/foo.json: field 'jsVars' must be an integer (got 12.5)");
    expect(errorOf({ ...good(), espruinoBoard: 7 })).toBe("boards/foo.json: field 'espruinoBoard' must be a string or null (got 7)");
    expect(errorOf({ ...good(), source: 'x' })).toBe(`boards/foo.json: field 'source' must be an array (got "x")`);
    expect(errorOf({ ...good(), insecureDevOnly: 'yes' })).toMatch(/field 'insecureDevOnly' must be a boolean/);
  });

  it('reports an unknown HAL, network, TLS mode, crypto and modem chip with the allowed values', () => {
    expect(errorOf({ ...good(), hal: 'xyz' })).toBe("boards/foo.json: unknown hal 'xyz' (expected espruino, at-modem or emulated)");
    expect(errorOf({ ...good(), network: 'lte' })).toBe(
      "boards/foo.json: unknown network 'lte' (expected none, ble, wifi, wifi-at, cellular-at or ethernet)");
    expect(errorOf({ ...good(), tls: 'yes' })).toMatch(/unknown tls 'yes' \(expected native, offload or none\)/);
    expect(errorOf({ ...good(), crypto: 'sha1' })).toMatch(/unknown crypto 'sha1' \(expected sha256 or none\)/);
    const at = atBoard();
    at.modem.chip = 'sim800';
    expect(errorOf(at)).toMatch(/unknown modem\.chip 'sim800' \(expected esp8266 or bg96\)/);
  });

  it('reports out-of-range numbers, bad patterns and non-listed values', () => {
    expect(errorOf({ ...good(), budget: { maxShare: 2, maxBundleBytes: 16384 } }))
      .toBe("boards/foo.json: field 'budget.maxShare' must be at most 1 (got 2)");
    expect(errorOf({ ...good(), budget: { maxShare: 0, maxBundleBytes: 16384 } })).toMatch(/'budget\.maxShare' must be more than 0/);
    expect(errorOf({ ...good(), blockSize: 15 })).toMatch(/field 'blockSize' must be one of 12, 13, 14 or 16 \(got 15\)/);
    expect(errorOf({ ...good(), pins: { led1: 'LED', led2: null, button: null } })).toMatch(/field 'pins\.led1' must match/);
    expect(errorOf({ ...good(), id: 'Foo Bar' })).toMatch(/field 'id' must match/);
    expect(errorOf({ ...good(), limits: { keepalive: 70000 } })).toMatch(/field 'limits\.keepalive' must be at most 65535/);
    expect(errorOf({ ...good(), source: [] })).toMatch(/field 'source' must have at least 1 item/);
  });

  it("accepts as a source a repository path, a web address or a docs/ section, but not a machine's path", () => {
    for (const s of ['espruino/Espruino boards/ESP32.py: variables', 'https://www.espruino.com/ESP32: page', 'docs/boards.md#esp32: all'])
      expect(validateBoard({ ...good(), source: [s] }, 'boards/foo.json').source).toEqual([s]);
    for (const s of ['/home/me/notes.md: board table', '../elsewhere/notes.md: table', 'no place given'])
      expect(errorOf({ ...good(), source: [s] })).toMatch(/field 'source\[0\]' must match/);
  });

  it('reports unknown fields and suggests the right spelling', () => {
    const o = good();
    o.jsvars = o.jsVars;
    delete o.jsVars;
    const msg = errorOf(o);
    expect(msg).toContain("boards/foo.json: missing field 'jsVars'");
    expect(msg).toContain("boards/foo.json: unknown field 'jsvars' (did you mean 'jsVars'?)");
    expect(errorOf({ ...good(), limits: { retries: 3 } })).toBe("boards/foo.json: unknown field 'limits.retries'");
  });

  it('lists every problem, one line each, all naming the file', () => {
    const o = { ...good(), hal: 'xyz', jsVars: 'lots' };
    delete (o as Obj).name;
    const lines = errorOf(o).split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.startsWith('boards/foo.json: ')).toBe(true);
  });

  it('rejects what is not an object', () => {
    expect(errorOf([1, 2])).toBe('boards/foo.json: must be a JSON object (got [1,2])');
    expect(errorOf(null)).toBe('boards/foo.json: must be a JSON object (got null)');
  });
});

describe('validateBoard: rules between fields', () => {
  it('the id must match the file name (only checked for .json files)', () => {
    expect(errorOf({ ...good(), id: 'bar' })).toBe(
      `boards/foo.json: field 'id' must match the file name: expected "foo" (got "bar")`);
    expect(validateBoard({ ...good(), id: 'bar' }, 'inline board').id).toBe('bar');
  });

  it('AT networks need the at-modem HAL, a matching modem and its serial pins', () => {
    expect(errorOf({ ...good(), network: 'wifi-at' })).toMatch(/field 'hal' must be 'at-modem' for network 'wifi-at'/);
    const noModem = atBoard();
    delete noModem.modem;
    expect(errorOf(noModem)).toMatch(/missing field 'modem' \(needed when hal is 'at-modem'\)/);
    const noPins = atBoard();
    delete noPins.pins.modemRx;
    expect(errorOf(noPins)).toMatch(/missing field 'pins\.modemRx'/);
    expect(errorOf({ ...atBoard(), network: 'cellular-at' })).toMatch(/field 'modem\.chip' must be bg96 for network 'cellular-at'/);
    expect(errorOf({ ...atBoard(), network: 'wifi' })).toMatch(/field 'network' must be wifi-at or cellular-at when hal is 'at-modem'/);
    expect(errorOf({ ...good(), modem: atBoard().modem })).toMatch(/field 'modem' is only for hal 'at-modem'/);
  });

  it('TLS offload only with a modem, native TLS never with one, no TLS without IP', () => {
    expect(errorOf({ ...good(), tls: 'offload' })).toMatch(/field 'tls' can be 'offload' only when hal is 'at-modem'/);
    expect(errorOf({ ...atBoard(), tls: 'native' })).toMatch(/field 'tls' must be offload or none when hal is 'at-modem'/);
    expect(errorOf({ ...good(), network: 'ble' })).toMatch(/field 'tls' must be 'none' for network 'ble'/);
    expect(validateBoard({ ...good(), network: 'ble', tls: 'none' }, 'boards/foo.json').tls).toBe('none');
  });

  it('a gateway link only on an Espruino board without TCP/IP, with a speed only where one applies', () => {
    const ble = { ...good(), network: 'ble', tls: 'none' };
    expect(validateBoard({ ...ble, gatewayLink: { serial: 'Bluetooth' } }, 'boards/foo.json').gatewayLink).toEqual({ serial: 'Bluetooth' });
    expect(validateBoard({ ...ble, network: 'none', gatewayLink: { serial: 'USB', baud: 115200 } }, 'boards/foo.json').gatewayLink!.baud).toBe(115200);
    expect(errorOf({ ...good(), gatewayLink: { serial: 'Serial1' } })).toMatch(/field 'gatewayLink' is only for hal 'espruino' boards without TCP\/IP/);
    expect(errorOf({ ...ble, gatewayLink: { serial: 'Bluetooth', baud: 9600 } })).toMatch(/field 'gatewayLink.baud' does not apply to Bluetooth/);
    expect(errorOf({ ...ble, gatewayLink: { serial: 'Serial9' } })).toMatch(/gatewayLink/);
  });

  it('a networked board without TLS must say it is insecure-development only', () => {
    expect(errorOf({ ...good(), tls: 'none' })).toMatch(/field 'insecureDevOnly' must be true when tls is 'none' on a 'wifi' board/);
    expect(validateBoard({ ...good(), tls: 'none', insecureDevOnly: true }, 'boards/foo.json').insecureDevOnly).toBe(true);
  });

  it('the emulated HAL and only it has no Espruino board', () => {
    expect(errorOf({ ...good(), hal: 'emulated' })).toMatch(/field 'espruinoBoard' must be null when hal is 'emulated'/);
    expect(errorOf({ ...good(), espruinoBoard: null })).toMatch(/field 'espruinoBoard' must name Espruino's BOARD/);
  });

  it('blockSize follows jsVars, and the JsVars fit in RAM', () => {
    expect(errorOf({ ...good(), blockSize: 14 })).toMatch(/field 'blockSize' must be 13 for 5000 JsVars/);
    expect(errorOf({ ...good(), ramKB: 32 })).toMatch(/field 'jsVars' does not fit in RAM: 5000 x 13 B > 32 KB/);
  });

  it('the bundle cap fits both the JsVar budget and the saved-code flash', () => {
    // budget: floor(5000 * 0.5) * 13 = 32500 bytes; flash 48 KB = 49152 bytes
    expect(validateBoard({ ...good(), budget: { maxShare: 0.5, maxBundleBytes: 32500 } }, 'boards/foo.json').budget.maxBundleBytes).toBe(32500);
    expect(errorOf({ ...good(), budget: { maxShare: 0.5, maxBundleBytes: 32501 } }))
      .toMatch(/field 'budget\.maxBundleBytes' must be at most 32500/);
    expect(errorOf({ ...good(), flashCodeKB: 8, budget: { maxShare: 0.5, maxBundleBytes: 16384 } }))
      .toMatch(/field 'budget\.maxBundleBytes' must be at most 8192/);
  });

  it('backoff bounds must be ordered once merged with the defaults', () => {
    expect(errorOf({ ...good(), limits: { backoffMin: defaultLimits.backoffMax + 1 } }))
      .toMatch(/field 'limits\.backoffMin' must not exceed backoffMax/);
  });
});

describe('budget, limits and block sizes', () => {
  it('espruinoBlockSize follows the JSVAR_CACHE_SIZE steps of Espruino src/jsutils.h', () => {
    const cases: [number, number][] = [[1600, 12], [2047, 12], [2048, 13], [8191, 13], [8192, 14], [16383, 14], [16384, 16], [65535, 16]];
    for (const [vars, size] of cases) expect(espruinoBlockSize(vars)).toBe(size);
  });

  it('boardBudget is jsVars x maxShare (rounded down) and that many blocks of bytes', () => {
    const b = validateBoard({ ...good(), jsVars: 5001, budget: { maxShare: 0.3, maxBundleBytes: 4096 } }, 'boards/foo.json');
    expect(boardBudget(b)).toEqual({ jsVars: 1500, bytes: 1500 * 13, maxBundleBytes: 4096 });
  });

  it('boardLimits overrides only the fields a board sets', () => {
    const b = validateBoard({ ...good(), limits: { keepalive: 30, inflight: 2 } }, 'boards/foo.json');
    expect(boardLimits(b)).toEqual({ ...defaultLimits, keepalive: 30, inflight: 2 });
    expect(boardLimits(validateBoard(good(), 'boards/foo.json'))).toEqual(defaultLimits);
  });

  it('orList joins like a sentence', () => {
    expect(orList(['a'])).toBe('a');
    expect(orList(['a', 'b'])).toBe('a or b');
    expect(orList(['a', 'b', 'c'])).toBe('a, b or c');
  });

  it('the exported value lists match the enums in boards/schema.json', () => {
    const s = JSON.parse(readFileSync(join(defaultBoardsDir, 'schema.json'), 'utf8'));
    expect(s.properties.network.enum).toEqual([...NETWORKS]);
    expect(s.properties.tls.enum).toEqual([...TLS_MODES]);
    expect(s.properties.crypto.enum).toEqual([...CRYPTOS]);
    expect(s.properties.hal.enum).toEqual([...HALS]);
    expect(s.properties.modem.properties.chip.enum).toEqual([...MODEMS]);
    expect(Object.keys(s.properties.limits.properties).sort()).toEqual(Object.keys(defaultLimits).sort());
  });
});

describe('loadBoard / listBoards on a boards directory', () => {
  let root: string;
  let dir: string;
  const put = (name: string, content: string | Obj) =>
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tinyiot-boards-'));
    dir = join(root, 'boards');
    mkdirSync(dir);
    put('schema.json', '{"not": "a board"}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('loads and lists valid files, sorted by id, skipping schema.json', () => {
    put('foo.json', good());
    put('bar.json', { ...atBoard(), id: 'bar' });
    expect(boardIds(dir)).toEqual(['bar', 'foo']);
    expect(listBoards(dir).map((b) => b.id)).toEqual(['bar', 'foo']);
    expect(loadBoard('foo', dir).network).toBe('wifi');
  });

  it('an unknown id lists the known ones', () => {
    put('foo.json', good());
    put('bar.json', { ...atBoard(), id: 'bar' });
    expect(() => loadBoard('nope', dir)).toThrow("unknown board 'nope' (known boards: bar, foo)");
    expect(() => loadBoard('../boards/foo', dir)).toThrow(/unknown board/);
    expect(() => loadBoard('', dir)).toThrow(/non-empty string/);
  });

  it('errors name the file path and the field', () => {
    put('foo.json', { ...good(), hal: 'xyz' });
    expect(() => loadBoard('foo', dir)).toThrow(/boards\/foo\.json: unknown hal 'xyz'/);
    expect(() => listBoards(dir)).toThrow(/boards\/foo\.json: unknown hal 'xyz'/);
  });

  it('an id that differs from the file name is refused', () => {
    put('foo.json', { ...good(), id: 'other' });
    expect(() => loadBoard('foo', dir)).toThrow(/boards\/foo\.json: field 'id' must match the file name: expected "foo"/);
  });

  it('bad JSON names the file', () => {
    put('foo.json', '{ "id": "foo", ');
    expect(() => loadBoard('foo', dir)).toThrow(/boards\/foo\.json: invalid JSON \(unexpected end of the text\)$/);
  });

  it('bad JSON says where, never what: a key in the file is not quoted', () => {
    put('foo.json', '{\n  "id": "foo",\n  "notes": sk_SECRETKEY123\n}');
    let msg = '';
    try {
      loadBoard('foo', dir);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/boards\/foo\.json: invalid JSON \(line 3, column 12\)$/);
    expect(msg).not.toMatch(/SECRET/);
  });
});
