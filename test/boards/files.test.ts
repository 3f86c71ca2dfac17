// The shipped board files: each validates, and the facts other modules rely on hold.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Board, boardBudget, boardIds, defaultBoardsDir, listBoards, loadBoard } from '../../build/boards.js';

const REQUIRED = ['emulator', 'esp32', 'esp8266', 'espruino-wifi', 'linux', 'pico-esp8266', 'puckjs', 'rak5010'];
const boards = listBoards();
const byId = (id: string): Board => boards.find((b) => b.id === id)!;

describe('boards/*.json', () => {
  it('holds at least the required boards, and every file validates', () => {
    expect(boardIds()).toEqual(boards.map((b) => b.id));
    for (const id of REQUIRED) expect(boardIds()).toContain(id);
  });

  it.each(boardIds())('%s loads on its own, names its schema and cites a source', (id) => {
    const b = loadBoard(id);
    expect(b.id).toBe(id);
    expect(b.source.length).toBeGreaterThan(0);
    const raw = JSON.parse(readFileSync(join(defaultBoardsDir, `${id}.json`), 'utf8'));
    expect(raw.$schema).toBe('./schema.json');
  });

  // Each cited docs/ section must exist, so a board file explains itself from the repository alone.
  it.each(boardIds())('%s cites public sources, and docs/ sections that exist', (id) => {
    const root = join(defaultBoardsDir, '..');
    const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
    for (const s of loadBoard(id).source) {
      const doc = /^(docs\/[a-z0-9-]+\.md)(?:#([a-z0-9-]+))?:/.exec(s);
      if (!doc) continue;
      const file = join(root, doc[1]!);
      expect(existsSync(file), s).toBe(true);
      const anchors = [...readFileSync(file, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!));
      if (doc[2]) expect(anchors, s).toContain(doc[2]);
    }
    expect(loadBoard(id).source.some((s) => s.startsWith(`docs/boards.md#${id}:`)), 'a docs/boards.md section of its own').toBe(true);
  });

  it('AT-modem boards offload TLS to the modem that matches their network', () => {
    const chips: Record<string, string> = { 'espruino-wifi': 'esp8266', 'pico-esp8266': 'esp8266', rak5010: 'bg96' };
    for (const [id, chip] of Object.entries(chips)) {
      const b = byId(id);
      expect([b.hal, b.tls, b.modem?.chip]).toEqual(['at-modem', 'offload', chip]);
    }
    expect(byId('rak5010').network).toBe('cellular-at');
  });

  it('the ESP8266 has no TLS and no native SHA-256, and says it is for insecure development only', () => {
    const b = byId('esp8266');
    expect([b.network, b.tls, b.crypto, b.insecureDevOnly]).toEqual(['wifi', 'none', 'none', true]);
    expect(b.notes).toMatch(/insecure development mode/);
  });

  it('no other board claims the insecure development mode', () => {
    expect(boards.filter((b) => b.insecureDevOnly).map((b) => b.id)).toEqual(['esp8266']);
  });

  it('the Puck.js is BLE only and explains that it needs a gateway', () => {
    const b = byId('puckjs');
    expect([b.network, b.tls]).toEqual(['ble', 'none']);
    expect(b.notes).toMatch(/^BLE only: needs a gateway\./);
  });

  it('native-TLS Espruino boards warn that the server certificate is not verified', () => {
    for (const b of boards.filter((x) => x.tls === 'native' && x.hal === 'espruino')) {
      expect(b.notes, b.id).toMatch(/does not verify the server certificate/);
    }
  });

  it('the simulator is the only emulated board and has no Espruino board', () => {
    expect(boards.filter((b) => b.hal === 'emulated').map((b) => b.id)).toEqual(['emulator']);
    expect(byId('emulator').espruinoBoard).toBeNull();
  });

  it('JsVar counts match Espruino board files', () => {
    const vars: Record<string, [string, number]> = {
      'espruino-wifi': ['ESPRUINOWIFI', 7148], 'pico-esp8266': ['PICO_R1_3', 5100], esp32: ['ESP32', 16383],
      esp8266: ['ESP8266_4MB', 1600], rak5010: ['RAK5010', 12500], puckjs: ['PUCKJS', 2630],
    };
    for (const [id, [board, n]] of Object.entries(vars)) expect([byId(id).espruinoBoard, byId(id).jsVars]).toEqual([board, n]);
  });

  it('every budget leaves the app a share and fits the bundle cap', () => {
    for (const b of boards) {
      const budget = boardBudget(b);
      expect(budget.jsVars, b.id).toBeLessThan(b.jsVars);
      expect(b.budget.maxBundleBytes, b.id).toBeLessThanOrEqual(Math.min(budget.bytes, b.flashCodeKB * 1024));
    }
  });
});
