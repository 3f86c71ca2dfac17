// Checks a bundle against its board's budget (boards/<id>.json "budget"): the minified bytes against
// maxBundleBytes (they must fit the board's saved-code flash), and the estimated JsVars (code booted
// from Storage + objects created at start) against maxShare x jsVars.
import { type Board, boardBudget } from '../boards.js';
import { type CodeEstimate, runtimeJsVars } from './jsvars.js';

export interface BudgetInput {
  bytes: number;
  code: CodeEstimate;
  /** QuickJS heap growth while main() started (smoke.ts). */
  startHeapBytes: number;
  /** Overrides board.budget.maxBundleBytes (tests, experiments). */
  maxBytes?: number;
}

export interface BudgetResult {
  ok: boolean;
  bytes: number;
  maxBytes: number;
  codeJsVars: number;
  /** The code's cost if it were sent to RAM instead of booted from Storage. */
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
  const runtime = runtimeJsVars(i.startHeapBytes);
  const jsVars = i.code.flashJsVars + runtime;
  const over: string[] = [];
  if (i.bytes > maxBytes) {
    over.push(`bundle is ${i.bytes} bytes, over the ${maxBytes}-byte limit by ${i.bytes - maxBytes}`);
  }
  if (jsVars > budget.jsVars) {
    over.push(`estimated ${jsVars} JsVars, over the budget of ${budget.jsVars} (${Math.round(b.budget.maxShare * 100)}% of ${b.jsVars}) by ${jsVars - budget.jsVars}`);
  }
  return {
    ok: over.length === 0,
    bytes: i.bytes,
    maxBytes,
    codeJsVars: i.code.flashJsVars,
    ramCodeJsVars: i.code.jsVars,
    runtimeJsVars: runtime,
    jsVars,
    maxJsVars: budget.jsVars,
    over,
  };
}
