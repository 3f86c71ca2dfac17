// `tinyiot boards`: every board at a glance, one board in full, or all of them as JSON.
import { type Board, boardBudget, boardLimits, defaultBoardsDir, listBoards, loadBoard } from '../boards.js';
import { parseArgs, UsageError } from '../firmware/args.js';
import { type AppFit, appFits, fitsText } from './boards-apps.js';

export const help = `usage: tinyiot boards [<id>] [--apps] [--json] [--boards-dir <dir>]

Lists the boards in boards/*.json: network, TLS, crypto, JsVars, RAM and the budget the
tinyiot bundle may use (JsVars x maxShare, and about that many x blockSize bytes).

  <id>                  show one board in full (pins, modem, MQTT limits, notes, sources)
  --apps                also whether each example app fits: each is built as 'tinyiot build'
                        builds it (boards without TLS with --insecure-dev), bytes against
                        maxBundleBytes and JsVars against the budget; seconds per build
  --json                print machine-readable JSON instead of a table (with --apps: "apps")
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

/** The board as in its file, plus the computed budget, the merged MQTT limits and, when made, the app fits. */
function toJson(b: Board, apps?: AppFit[]): object {
  const { jsVars, bytes } = boardBudget(b);
  return { ...b, budget: { ...b.budget, jsVars, bytes }, mqttLimits: boardLimits(b), ...(apps ? { apps } : {}) };
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
    parsed = parseArgs(argv, { json: 'boolean', apps: 'boolean', 'boards-dir': 'string' }, 1);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot boards: ${e.message}\n\n${help}\n`);
    return 2;
  }
  const { flags: o, positionals } = parsed;
  const dir = o['boards-dir'] as string | undefined;
  const id = positionals[0];
  const boards = id !== undefined ? [loadBoard(id, dir)] : listBoards(dir);
  const fits = o.apps ? await appFits(boards, (l) => process.stderr.write(`boards: ${l}\n`)) : undefined;
  const json = boards.map((b) => toJson(b, fits?.get(b.id)));
  const text = id !== undefined ? details(boards[0]!) : overview(boards);
  const apps = fits ? `\n\nexample apps, built as 'tinyiot build' builds them:\n${fitsText(fits)}` : '';
  process.stdout.write((o.json ? JSON.stringify(id !== undefined ? json[0] : json, null, 2) : text + apps) + '\n');
  return 0;
}
