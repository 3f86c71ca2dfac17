// Positions in a bundle back to the TypeScript they came from, so a start-up throw in an app of the
// user's own names its file:line:col. The map is terser's (chained through esbuild's and tsc's, see
// bundle.ts); hoistVars inserted declarations after terser, which are taken off before looking up.
import { SourceMap } from 'node:module';
import { isAbsolute, relative, resolve } from 'node:path';

export interface BundleMap {
  /** terser's source map, JSON. */
  map: string;
  /** What hoistVars inserted into terser's code: offsets there, and lengths. */
  inserts: { at: number; len: number }[];
}

export interface Original {
  file: string;
  line: number;
  column: number;
}

/** line: 1-based, column: 1-based, in `code` (the bundle). */
export function originalPosition(code: string, m: BundleMap, line: number, column: number): Original | undefined {
  const lines = code.split('\n');
  if (line < 1 || line > lines.length) return undefined;
  const at = lineStart(lines, line) + column - 1;
  // Back to terser's code: take off the inserted declarations before the offset.
  const spans = landed(m.inserts);
  let offset = at;
  for (const sp of spans) if (sp.from + sp.len <= at) offset -= sp.len;
  const pre = strip(code, spans).slice(0, offset).split('\n');
  const tl = pre.length - 1;
  const tc = pre[pre.length - 1]!.length;
  const payload = JSON.parse(m.map) as ConstructorParameters<typeof SourceMap>[0];
  const e = new SourceMap(payload).findEntry(tl, tc) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (e.originalSource === undefined || e.originalLine === undefined) return undefined;
  const file = isAbsolute(e.originalSource) ? e.originalSource : resolve(e.originalSource.replace(/^file:\/\//, ''));
  return { file, line: e.originalLine + 1, column: e.originalColumn! + 1 };
}

const lineStart = (lines: string[], line: number): number => {
  let at = 0;
  for (let i = 0; i < line - 1; i++) at += lines[i]!.length + 1;
  return at;
};

/** Where each insert landed in the final code: inserts are in terser's offsets, applied last first. */
function landed(inserts: BundleMap['inserts']): { from: number; len: number }[] {
  let shift = 0;
  return [...inserts].sort((a, b) => a.at - b.at).map((e) => {
    const s = { from: e.at + shift, len: e.len };
    shift += e.len;
    return s;
  });
}

function strip(code: string, spans: { from: number; len: number }[]): string {
  let out = code;
  for (const s of [...spans].reverse()) out = out.slice(0, s.from) + out.slice(s.from + s.len);
  return out;
}

/** Shown relative to the current directory when under it, else absolute. */
const shown = (file: string): string => {
  const r = relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
};

/**
 * Rewrites `(name:L:C)` frames of a stack that point into the bundle (file names in `names`) to
 * the TypeScript source; lineOffset is subtracted first (lines the engine ran before the bundle),
 * and `zeroBased` says the engine counts lines from 0 (Espruino).
 */
export function mapStack(text: string, code: string, m: BundleMap, names: string[], lineOffset = 0, zeroBased = false): string {
  const re = new RegExp(`\\b(${names.map((n) => n.replace(/\./g, '\\.')).join('|')}):(\\d+):(\\d+)`, 'g');
  return text.replace(re, (all, _n: string, l: string, c: string) => {
    const o = originalPosition(code, m, Number(l) - lineOffset + (zeroBased ? 1 : 0), Number(c));
    return o ? `${shown(o.file)}:${o.line}:${o.column}` : all;
  });
}
