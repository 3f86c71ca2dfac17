// `tinyiot boards`: every board at a glance, one board in full, or all of them as JSON.
import { type Board, boardBudget, boardLimits, defaultBoardsDir, listBoards, loadBoard } from '../boards.js';
import { parseArgs, UsageError } from '../firmware/args.js';

export const help = `usage: tinyiot boards [<id>] [--json] [--boards-dir <dir>]

Lists the boards in boards/*.json: network, TLS, crypto, JsVars, RAM and the budget the
tinyiot bundle may use (JsVars x maxShare, and about that many x blockSize bytes).

  <id>                  show one board in full (pins, modem, MQTT limits, notes, sources)
  --json                print machine-readable JSON instead of a table
  --boards-dir <dir>    board files from <dir> instead of ${defaultBoardsDir}
                        (every file is checked, so this validates your own board files)`;

/** First sentence: the one-line summary the table shows. */
function summary(notes: string): string {
  const m = /^.*?[.!?](?=\s|$)/.exec(notes);
  return m ? m[0] : notes;
}

const kb = (bytes: number): string => `~${Math.round(bytes / 1024)} KB`;

function table(rows: string[][], right: Set<number>): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

function overview(boards: Board[]): string {
  const rows = [['id', 'name', 'network', 'TLS', 'crypto', 'JsVars', 'RAM KB', 'budget JsVars', 'notes']];
  for (const b of boards) {
    const budget = boardBudget(b);
    rows.push([
      b.id, b.name, b.network, b.tls, b.crypto, String(b.jsVars), String(b.ramKB),
      `${budget.jsVars} (${kb(budget.bytes)})`, summary(b.notes),
    ]);
  }
  return table(rows, new Set([5, 6, 7]));
}

/** The board as in its file, plus the computed budget and the merged MQTT limits. */
function toJson(b: Board): object {
  const { jsVars, bytes } = boardBudget(b);
  return { ...b, budget: { ...b.budget, jsVars, bytes }, mqttLimits: boardLimits(b) };
}

function details(b: Board): string {
  const budget = boardBudget(b);
  const pins = Object.entries(b.pins).map(([k, v]) => `${k}=${v ?? '-'}`).join(' ');
  const limits = Object.entries(boardLimits(b)).map(([k, v]) => `${k}=${v}${b.limits && k in b.limits ? '*' : ''}`).join(' ');
  const lines = [
    `${b.id}: ${b.name}`,
    `  espruino board  ${b.espruinoBoard ?? '(none: simulator)'}`,
    `  mcu             ${b.mcu}`,
    `  memory          ${b.jsVars} JsVars x ${b.blockSize} B, ${b.ramKB} KB RAM, ${b.flashCodeKB} KB saved-code flash`,
    `  budget          ${budget.jsVars} JsVars (${Math.round(b.budget.maxShare * 100)}%, ${kb(budget.bytes)}), bundle <= ${b.budget.maxBundleBytes} B`,
    `  network         ${b.network}, TLS ${b.tls}, crypto ${b.crypto}, hal ${b.hal}${b.insecureDevOnly ? ', INSECURE DEVELOPMENT ONLY' : ''}`,
  ];
  if (b.modem) lines.push(`  modem           ${b.modem.chip} on ${b.modem.serial} at ${b.modem.baud} baud`);
  lines.push(`  pins            ${pins}`, `  mqtt limits     ${limits}  (* = board override)`, `  notes           ${b.notes}`);
  for (const s of b.source) lines.push(`  source          ${s}`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, { json: 'boolean', 'boards-dir': 'string' }, 1);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot boards: ${e.message}\n\n${help}\n`);
    return 2;
  }
  const { flags: o, positionals } = parsed;
  const dir = o['boards-dir'] as string | undefined;
  const id = positionals[0];
  if (id !== undefined) {
    const b = loadBoard(id, dir);
    process.stdout.write((o.json ? JSON.stringify(toJson(b), null, 2) : details(b)) + '\n');
    return 0;
  }
  const boards = listBoards(dir);
  process.stdout.write((o.json ? JSON.stringify(boards.map(toJson), null, 2) : overview(boards)) + '\n');
  return 0;
}
