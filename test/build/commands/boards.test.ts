import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { boardBudget, defaultBoardsDir, listBoards } from '../../../build/boards.js';
import { help, run } from '../../../build/commands/boards.js';
import { runCli } from '../cliRun.js';

const boards = listBoards();

/** Runs the command in-process and collects what it writes. */
async function inProcess(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const code = await run(argv);
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('tinyiot boards (the binary)', () => {
  it('prints a table row for every board and exits 0', async () => {
    const r = await runCli(['boards']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id +name +network +TLS +crypto +JsVars +RAM KB +budget JsVars +notes$/);
    expect(lines).toHaveLength(boards.length + 1);
    for (const b of boards) {
      const row = lines.find((l) => l.startsWith(b.id + ' '));
      expect(row, b.id).toBeDefined();
      const { jsVars } = boardBudget(b);
      expect(row).toMatch(new RegExp(` ${b.network} +${b.tls} +${b.crypto} +${b.jsVars} +${b.ramKB} +${jsVars} \\(~\\d+ KB\\) `));
    }
    expect(r.stdout).toMatch(/^puckjs .*BLE only: needs a gateway\.$/m);
  });

  it('--json prints every board with its computed budget and merged limits', async () => {
    const r = await runCli(['boards', '--json']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as any[];
    expect(parsed.map((b) => b.id)).toEqual(boards.map((b) => b.id));
    for (const [i, b] of boards.entries()) {
      const { jsVars, bytes } = boardBudget(b);
      expect(parsed[i].budget).toEqual({ ...b.budget, jsVars, bytes });
      expect(Object.keys(parsed[i].mqttLimits).sort()).toEqual(
        ['ackTimeout', 'backoffMax', 'backoffMin', 'incomingQos2', 'inflight', 'keepalive', 'maxPacket', 'queueBytes']);
    }
  });

  it('an unknown board id is a usage mistake: exit 2, listing the known boards', async () => {
    const r = await runCli(['boards', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tinyiot boards: unknown board 'nope' \(known boards: .*esp32.*\)/);
  });
});

describe('boards command (in process)', () => {
  it('shows one board in full, marking limit overrides', async () => {
    const r = await inProcess(['rak5010']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^rak5010: RAK5010/);
    expect(r.out).toContain('modem           bg96 on Serial1 at 115200 baud');
    expect(r.out).toMatch(/ackTimeout=30000\*/);
    expect(r.out).toMatch(/maxPacket=4096 /);
    expect(r.out).toMatch(/source {10}espruino\/Espruino boards\/RAK5010\.py/);
  });

  it('flags the insecure board', async () => {
    const r = await inProcess(['esp8266']);
    expect(r.out).toContain('INSECURE DEVELOPMENT ONLY');
  });

  it('one board as JSON', async () => {
    const r = await inProcess(['esp32', '--json']);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.out);
    expect([b.id, b.budget.jsVars, b.mqttLimits.maxPacket]).toEqual(['esp32', 8191, 16384]);
  });

  it('rejects unknown options and extra arguments with exit 2', async () => {
    let r = await inProcess(['--wide']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tinyiot boards: unknown option '--wide'/);
    r = await inProcess(['esp32', 'linux']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unexpected argument 'linux'/);
  });

  it('has help text', () => {
    expect(help).toMatch(/^usage: tinyiot boards \[<id>\] \[--apps\] \[--json\] \[--boards-dir <dir>\]/);
  });

  it('--boards-dir lists and checks board files from another folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyiot-myboards-'));
    try {
      copyFileSync(join(defaultBoardsDir, 'esp32.json'), join(dir, 'esp32.json'));
      let r = await inProcess(['--boards-dir', dir, '--json']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as { id: string }[]).map((b) => b.id)).toEqual(['esp32']);
      r = await inProcess([`--boards-dir=${dir}`, 'esp32']);
      expect([r.code, r.out.split('\n')[0]]).toEqual([0, `esp32: ${boards.find((b) => b.id === 'esp32')!.name}`]);
      writeFileSync(join(dir, 'mine.json'), JSON.stringify({ id: 'mine', name: 'My board' }));
      const bad = await runCli(['boards', '--boards-dir', dir]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^tinyiot boards: .*mine\.json: missing field 'espruinoBoard'\n.*mine\.json: missing field 'mcu'\n/);
      const missing = await inProcess(['--boards-dir']);
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/^tinyiot boards: --boards-dir needs a value/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
