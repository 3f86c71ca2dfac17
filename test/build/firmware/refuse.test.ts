import { describe, expect, it } from 'vitest';
import { listBoards, loadBoard } from '../../../build/boards.js';
import { buildableBoard, refusal } from '../../../build/firmware/refuse.js';
import { UsageError } from '../../../build/usage-error.js';

describe('refusal', () => {
  it('a BLE-only board without a gateway link needs a gateway, in the words of its board notes', () => {
    const b = { ...loadBoard('puckjs'), gatewayLink: undefined };
    const r = refusal(b, {})!;
    expect(r).toMatch(/^board 'puckjs' \(Puck\.js\) has no TCP\/IP \(network "ble"\)/);
    expect(r).toContain('needs a gateway');
    expect(r).toContain(b.notes);
    expect(refusal(b, { insecureDev: true })).toContain('needs a gateway');
  });

  it('a board without TLS builds only with --insecure-dev, and --insecure-dev only there', () => {
    const esp = loadBoard('esp8266');
    expect(refusal(esp, {})).toMatch(/has no TLS, so a TLS build is impossible\. Pass --insecure-dev/);
    expect(refusal(esp, { insecureDev: true })).toBeUndefined();
    expect(refusal(loadBoard('esp32'), { insecureDev: true })).toMatch(/--insecure-dev is only for boards without TLS; 'esp32' has TLS \(native\)/);
  });

  it('a BLE-only board with a link to tinyiot gateway builds, without --insecure-dev', () => {
    const puck = loadBoard('puckjs');
    expect(puck.gatewayLink).toEqual({ serial: 'Bluetooth' });
    expect(refusal(puck, {})).toBeUndefined();
    expect(refusal(puck, { insecureDev: true })).toContain('needs a gateway');
  });

  it('every other board is accepted as is', () => {
    const ok = listBoards().filter((b) => !refusal(b, {})).map((b) => b.id);
    expect(ok).toEqual(['emulator', 'esp32', 'espruino-wifi', 'linux', 'pico-esp8266', 'puckjs', 'rak5010']);
  });
});

describe('buildableBoard', () => {
  it('gives the board back, or its refusal as a usage mistake', () => {
    expect(buildableBoard(loadBoard('esp32'), {}).id).toBe('esp32');
    expect(() => buildableBoard(loadBoard('esp8266'), {})).toThrow(UsageError);
    expect(() => buildableBoard(loadBoard('esp8266'), {})).toThrow(/^board 'esp8266' \(/);
  });
});
