// `tinyiot build` as a function: app + board -> checked, measured ES5 firmware in out/<board>/.
// Steps: refuse what the board cannot do (refuse.ts) -> generate the entry (entry.ts) -> bundle
// (build/bundle.ts: tsc ES5 -> esbuild -> terser) -> verify the boot script is ES5 -> start it on
// Espruino's interpreter, or QuickJS where there is none, over stand-ins (smoke.ts) -> measure or
// estimate JsVars (jsvars.ts) and check the budget (budget.ts)
// -> write the files and the size report (output.ts, report.ts).
// The entry is bundled from a folder of this build's own, and every output file is replaced by a
// rename, so builds of the same app and board running at once never read each other's half-written files.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { type Board, boardBudget, loadBoard } from '../boards.js';
import { bundleFirmware } from '../bundle.js';
import type { BundleMap } from '../bundle-map.js';
import { verifyEs5 } from '../verify.js';
import { type App, loadApp } from './apps.js';
import { checkApp, es5ProblemsInSource, shown } from './app-check.js';
import { type BudgetResult, checkBudget } from './budget.js';
import { bootGlobals, bootLine, generateEntry } from './entry.js';
import { codeJsVars } from './jsvars.js';
import { bootScript, GLOBAL, type Output, writeAtomic, writeOutput } from './output.js';
import { refusal } from './refuse.js';
import { sizeReport } from './report.js';
import { smokeEngine, smokeRun } from './smoke.js';
import { startErrorInSource } from './start-error.js';

export interface BuildOptions {
  app: string;
  /** A board id, or a board already loaded (the simulator's emulated copy of one). */
  board: string | Board;
  boardsDir?: string;
  /** Default "out". */
  outDir?: string;
  insecureDev?: boolean;
  /** The simulator on Espruino's interpreter: the host's pins and sensors, connections reported to the host. */
  simHost?: boolean;
  /** Overrides the board's maxBundleBytes. */
  budgetBytes?: number;
  /** Overrides the board's JsVar budget (maxShare x jsVars). */
  budgetJsVars?: number;
  /** Config for the start-up check; default the app's config.example.json. */
  config?: Record<string, unknown>;
  /** Progress lines. */
  progress?: (line: string) => void;
}

export interface Build {
  ok: boolean;
  /** Why the build failed (refused, not ES5, did not start, over budget). */
  error?: string;
  app: App;
  board: Board;
  /** The bundle (defines `tinyiot`), without the boot line. */
  bundle?: string;
  /** The bundle's source map, for an app of the user's own (build/bundle-map.ts). */
  map?: BundleMap;
  /** What out/<board>/<app>.js holds. */
  script?: string;
  budget?: BudgetResult;
  report?: string;
  output?: Output;
}

/** A bundle that is not plain ES5, said at the app's own file:line:col when the cause is there. */
function locateEs5(files: string[] | undefined, error: string): string | undefined {
  if (!files || !/is not plain ES5/.test(error)) return undefined;
  const located = es5ProblemsInSource(files, (f) => readFileSync(f, 'utf8'));
  return located.length ? `not plain ES5:\n  ${located.join('\n  ')}` : undefined;
}

export async function buildFirmware(o: BuildOptions): Promise<Build> {
  const board = typeof o.board === 'string' ? loadBoard(o.board, o.boardsDir) : o.board;
  const app = loadApp(o.app);
  const no = refusal(board, o);
  if (no) return { ok: false, error: no, app, board };
  // An app of the user's own is type-checked first, so its mistakes name its own file:line:col.
  const checked = app.dir ? checkApp(app.main) : undefined;
  if (checked?.problems.length) return { ok: false, error: `${app.name} does not type-check:\n  ${checked.problems.join('\n  ')}`, app, board };
  if (app.exampleMissing) o.progress?.(`${shown(app.exampleMissing)} not found: the start-up check runs main() with the config {}${o.config ? '' : ' (give one with --config)'}`);
  const outDir = resolve(o.outDir ?? 'out');
  const tmp = await mkdtemp(join(tmpdir(), 'tinyiot-entry-'));
  try {
    const r = await bundleAndCheck(o, app, board, outDir, join(tmp, `${app.name}.entry.ts`));
    return r.ok ? r : { ...r, error: locateEs5(checked?.files, r.error!) ?? r.error };
  } catch (e) {
    const located = locateEs5(checked?.files, (e as Error).message);
    if (located) return { ok: false, error: located, app, board };
    throw e;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function bundleAndCheck(o: BuildOptions, app: App, board: Board, outDir: string, entryPath: string): Promise<Build> {
  const say = o.progress ?? (() => undefined);
  const entryOptions = { insecureDev: o.insecureDev, simHost: o.simHost };
  const entry = generateEntry(app, board, entryOptions);
  await writeFile(entryPath, entry);
  say(`bundling ${app.name} for ${board.id} (hal ${board.hal}, tls ${board.tls}, crypto ${board.crypto})`);
  // An app of the user's own gets a source map, so a start-up throw names its file:line:col.
  const bundleOptions = { globalName: GLOBAL, minify: true, sourceMap: app.dir !== undefined };
  let b = await bundleFirmware(entryPath, { ...bundleOptions, layout: 'global' });
  // The global layout saves a block per function and costs a byte per use of a top-level name
  // (build/global-layout.ts): where that byte count is what does not fit, the wrapped one may.
  const maxBytes = o.budgetBytes ?? boardBudget(board).maxBundleBytes;
  if (b.bytes > maxBytes) {
    const wrapped = await bundleFirmware(entryPath, { ...bundleOptions, layout: 'wrapped' });
    if (wrapped.bytes <= maxBytes) {
      say(`the bundle is ${b.bytes} bytes laid out at the top level, over ${maxBytes}: built in a wrapper function (${wrapped.bytes} bytes, a block more per function)`);
      b = wrapped;
    }
  }
  const script = bootScript(b.code, board, entryOptions);
  const problems = verifyEs5(script, { allowGlobals: board.hal === 'emulated' ? [] : bootGlobals });
  if (problems.length) return { ok: false, error: `the boot script is not plain ES5:\n  ${problems.join('\n  ')}`, app, board };

  const engine = smokeEngine(board);
  say(engine === 'espruino'
    ? `starting it on Espruino's interpreter, booted from Storage (JsVars measured: ${board.jsVars} on the board)`
    : `starting it in QuickJS (${board.jsVars} JsVars x ${board.blockSize} B heap cap)`);
  const smoke = await smokeRun(b.code, bootLine(board, GLOBAL, entryOptions), board, o.config ?? app.example, engine);
  if (!smoke.ok && !smoke.overHeap) {
    const boot = bootLine(board, GLOBAL, entryOptions);
    const error = b.map ? await startErrorInSource(smoke, { code: b.code, map: b.map, boot, board, cfg: o.config ?? app.example }) : smoke.error;
    return { ok: false, error: `${error}\n${smoke.output}`.trim(), app, board, bundle: b.code, script };
  }

  const startHeap = smoke.startBytes - smoke.loadBytes;
  const blocks = smoke.startBlocks !== undefined ? { load: smoke.loadBlocks!, start: smoke.startBlocks } : undefined;
  const start = smoke.startCounts ?? { functions: 0, props: 0, elements: 0, strings: 0, stringBytes: 0, buffers: 0, bufferBytes: 0 };
  const budget = checkBudget(board, { bytes: b.bytes, code: codeJsVars(b.code, board.blockSize, board.jsVars), start, blocks, maxBytes: o.budgetBytes, maxJsVars: o.budgetJsVars });
  if (smoke.overHeap) {
    budget.ok = false;
    budget.over.push(engine === 'espruino'
      ? `starting main() took ${smoke.startBlocks} JsVars on Espruino's interpreter, more than the board's ${board.jsVars}`
      : `starting main() took more than the board's whole JsVar store (${board.jsVars * board.blockSize} B) in QuickJS`);
  }
  const report = sizeReport({
    app: app.name, board, modules: b.modules, budget, loadHeapBytes: smoke.loadBytes, startHeapBytes: startHeap,
    entryPath: relative(process.cwd(), entryPath),
  });
  if (!budget.ok) {
    await writeAtomic(join(outDir, board.id, `${app.name}.size.txt`), report);
    return { ok: false, error: `over budget:\n  ${budget.over.join('\n  ')}`, app, board, bundle: b.code, script, budget, report };
  }
  const output = await writeOutput(outDir, board, app.name, b.code, report, entry, entryOptions);
  return { ok: true, app, board, bundle: b.code, map: b.map, script, budget, report, output };
}
