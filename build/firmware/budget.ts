// Checks a bundle against its board's budget (boards/<id>.json "budget"): the minified bytes against
// maxBundleBytes (they must fit the board's saved-code flash), and the JsVars (code booted from
// Storage + what starting main() creates) against maxShare x jsVars. The JsVars are measured where
// the start-up check ran on Espruino's interpreter (blocks loaded, then blocks added by starting),
// and otherwise estimated by jsvars.ts (the code from the bundle, the start from QuickJS's counts).
import { type Board, boardBudget } from '../boards.js';
import { type CodeEstimate, type EngineCounts, startJsVars } from './jsvars.js';

export interface BudgetInput {
  bytes: number;
  code: CodeEstimate;
  /** What starting main() created in QuickJS (smoke.ts); unused when `blocks` is given. */
  start: EngineCounts;
  /** Measured on Espruino (smoke.ts): blocks with the bundle loaded from Storage, and once started. */
  blocks?: { load: number; start: number };
  /** Overrides board.budget.maxBundleBytes (tests, experiments). */
  maxBytes?: number;
  /** Overrides the board's JsVar budget (maxShare x jsVars). */
  maxJsVars?: number;
}

export interface BudgetResult {
  ok: boolean;
  bytes: number;
  maxBytes: number;
  codeJsVars: number;
  /** Whether codeJsVars and runtimeJsVars were measured on Espruino or estimated. */
  measured: boolean;
  /** The code's cost if it were sent to RAM instead of booted from Storage (estimated). */
  ramCodeJsVars: number;
  runtimeJsVars: number;
  jsVars: number;
  maxJsVars: number;
  /** One line per exceeded limit. */
  over: string[];
}

export function checkBudget(b: Board, i: BudgetInput): BudgetResult {
  const budget = boardBudget(b);
  const maxBytes = i.maxBytes ?? budget.maxBundleBytes;
  const maxJsVars = i.maxJsVars ?? budget.jsVars;
  const code = i.blocks ? i.blocks.load : i.code.flashJsVars;
  const runtime = i.blocks ? Math.max(0, i.blocks.start - i.blocks.load) : startJsVars(i.start, b.blockSize, i.code.longNameShare, b.jsVars);
  const jsVars = code + runtime;
  const over: string[] = [];
  if (i.bytes > maxBytes) {
    over.push(`bundle is ${i.bytes} bytes, over the ${maxBytes}-byte limit by ${i.bytes - maxBytes}`);
  }
  if (jsVars > maxJsVars) {
    const share = i.maxJsVars === undefined ? ` (${Math.round(b.budget.maxShare * 100)}% of ${b.jsVars})` : '';
    over.push(`${i.blocks ? 'measured' : 'estimated'} ${jsVars} JsVars, over the budget of ${maxJsVars}${share} by ${jsVars - maxJsVars}`);
  }
  return {
    ok: over.length === 0,
    bytes: i.bytes,
    maxBytes,
    codeJsVars: code,
    measured: !!i.blocks,
    ramCodeJsVars: i.code.jsVars,
    runtimeJsVars: runtime,
    jsVars,
    maxJsVars,
    over,
  };
}
