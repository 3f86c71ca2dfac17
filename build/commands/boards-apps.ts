// `tinyiot boards --apps`: whether each example app fits each board, by building it exactly as
// `tinyiot build` does (build/firmware/pipeline.ts) into a temporary folder: the bundle's bytes
// against the board's maxBundleBytes and its JsVars (measured on Espruino's interpreter when one is
// found, else estimated) against the board's budget. A board without TLS (insecureDevOnly) is built
// in the insecure development mode, the only way it builds, and says so. Each build takes seconds,
// so the figures are made only when asked for.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Board } from '../boards.js';
import { listApps } from '../firmware/apps.js';
import { buildFirmware } from '../firmware/pipeline.js';

export interface AppFit {
  app: string;
  fits: boolean;
  /** Built in the insecure development mode (a board without TLS). */
  insecureDev: boolean;
  /** Absent when the build stopped before bundling (a board that cannot run firmware at all). */
  bytes?: number;
  maxBytes?: number;
  jsVars?: number;
  maxJsVars?: number;
  /** JsVars measured on Espruino's interpreter, not estimated. */
  measured?: boolean;
  /** Why it does not fit, the build's own words (first line). */
  reason?: string;
}

/** Builds every example app for each board, in order; progress names each build as it starts. */
export async function appFits(boards: Board[], progress: (line: string) => void = () => undefined): Promise<Map<string, AppFit[]>> {
  const out = await mkdtemp(join(tmpdir(), 'tinyiot-boards-'));
  const fits = new Map<string, AppFit[]>();
  try {
    for (const board of boards) {
      const row: AppFit[] = [];
      for (const app of listApps()) {
        const insecureDev = board.insecureDevOnly === true;
        progress(`building ${app} for ${board.id}${insecureDev ? ' (--insecure-dev)' : ''}`);
        const r = await buildFirmware({ app, board, outDir: out, insecureDev });
        const b = r.budget;
        const fit: AppFit = { app, fits: r.ok, insecureDev };
        if (b) Object.assign(fit, { bytes: b.bytes, maxBytes: b.maxBytes, jsVars: b.jsVars, maxJsVars: b.maxJsVars, measured: b.measured });
        if (!r.ok) fit.reason = r.error!.split('\n').map((l) => l.trim()).filter((l) => l && l !== 'over budget:').join('; ');
        row.push(fit);
      }
      fits.set(board.id, row);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  return fits;
}

/** One cell: "yes 18159/113664 B, 1295/8191 JsVars" or "no: <why>" (a refusal's first sentence). */
export function fitCell(f: AppFit): string {
  const mode = f.insecureDev ? ' [insecure dev]' : '';
  if (!f.fits) return `no${mode}: ${/^.*?\.(?=\s|$)|^.*/.exec(f.reason ?? '')![0]}`;
  return `yes ${f.bytes}/${f.maxBytes} B, ${f.jsVars}/${f.maxJsVars} JsVars${f.measured ? '' : ' (estimated)'}${mode}`;
}

/** The fits as lines: one per board and app. */
export function fitsText(fits: Map<string, AppFit[]>): string {
  const lines: string[] = [];
  const width = Math.max(...[...fits.keys()].map((k) => k.length));
  const appWidth = Math.max(...listApps().map((a) => a.length));
  for (const [id, row] of fits) for (const f of row) lines.push(`${id.padEnd(width)}  ${f.app.padEnd(appWidth)}  ${fitCell(f)}`);
  return lines.join('\n');
}
