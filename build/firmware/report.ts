// The size report of a build: one row per module, largest first, and the totals against the board's
// budget. Module shares come from esbuild's metafile before terser's last pass, so they are scaled to
// add up to the final size ("~bytes"); the raw share is shown beside it.
import type { Board } from '../boards.js';
import type { ModuleSize } from '../bundle.js';
import type { BudgetResult } from './budget.js';

export interface ReportInput {
  app: string;
  board: Board;
  modules: ModuleSize[];
  budget: BudgetResult;
  /** QuickJS heap: bundle loaded, and growth when main() started (when the check ran there). */
  loadHeapBytes: number;
  startHeapBytes: number;
  /** Path of the generated entry, shown as "(entry)". */
  entryPath?: string;
}

const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '-');

function table(rows: string[][], right: number[]): string[] {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => (right.includes(c) ? x.padStart(w[c]!) : x.padEnd(w[c]!))).join('  ').trimEnd());
}

export function sizeReport(i: ReportInput): string {
  const { budget: r, board: b } = i;
  const mods = i.modules.filter((m) => m.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  const sum = mods.reduce((a, m) => a + m.bytes, 0);
  const scale = sum > 0 ? r.bytes / sum : 0;
  // The entry is a temporary file: its path would mean nothing to the reader.
  const name = (m: ModuleSize) => (i.entryPath && m.path === i.entryPath ? `(entry: ${b.hal} glue for ${b.id})` : m.path);
  const rows = [['module', '~bytes', 'share', 'esbuild']];
  for (const m of mods) {
    rows.push([name(m), String(Math.round(m.bytes * scale)), pct(m.bytes, sum), String(m.bytes)]);
  }
  rows.push(['total (minified ES5)', String(r.bytes), '100.0%', String(sum)]);
  const lines = [
    `${i.app} for ${b.id} (${b.name}): ${r.ok ? 'within budget' : 'OVER BUDGET'}`,
    '',
    ...table(rows, [1, 2, 3]),
    '',
    `bundle   ${r.bytes} B of ${r.maxBytes} B allowed (${pct(r.bytes, r.maxBytes)})`,
    `JsVars   ${r.jsVars} of ${r.maxJsVars} budget (${pct(r.jsVars, r.maxJsVars)}; board has ${b.jsVars} x ${b.blockSize} B): ` +
      `code ${r.codeJsVars} booted from Storage (~${r.ramCodeJsVars} if sent to RAM) + objects at start ${r.runtimeJsVars}`,
    r.measured
      ? `heap     measured on Espruino's interpreter: ${r.codeJsVars} blocks with the bundle loaded from Storage, +${r.runtimeJsVars} once main() started`
      : `heap     QuickJS: ${i.loadHeapBytes} B with the bundle loaded, +${i.startHeapBytes} B once main() started (JsVars estimated)`,
  ];
  if (!r.ok) lines.push('', ...r.over.map((o) => `over budget: ${o}`), `largest modules: ${mods.slice(0, 3).map((m) => `${name(m)} (${m.bytes} B)`).join(', ')}`);
  return lines.join('\n') + '\n';
}
