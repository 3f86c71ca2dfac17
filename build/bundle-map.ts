// Positions in a bundle back to the TypeScript they came from, so a start-up throw in an app of the
// user's own names its file:line:col. The map is terser's (chained through esbuild's and tsc's, see
// bundle.ts); the edits made after terser (hoistVars' declarations, the global layout's prefixes
// and its unwrapped wrapper) are undone before looking up.
import { SourceMap } from 'node:module';
import { isAbsolute, relative, resolve } from 'node:path';

export interface BundleMap {
  /** terser's source map, JSON. */
  map: string;
  /** The edits made to terser's code: offsets there, characters taken out (never a line break), length put in. */
  edits: { at: number; cut: number; len: number }[];
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
  // Back to terser's code: what the edits before the offset put in out, what they took out back
  // (as stand-ins: only the line breaks matter, and none was taken out).
  const spans = landed(m.edits);
  let offset = at;
  for (const sp of spans) if (sp.from + sp.len <= at) offset += sp.cut - sp.len;
  const pre = undo(code, spans).slice(0, offset).split('\n');
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

/** Where each edit landed in the final code: edits are in terser's offsets, in order at each offset. */
function landed(edits: BundleMap['edits']): { from: number; cut: number; len: number }[] {
  let shift = 0;
  return edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map(({ e }) => {
    const s = { from: e.at + shift, cut: e.cut, len: e.len };
    shift += e.len - e.cut;
    return s;
  });
}

/** Terser's code as far as lines and columns go: what was put in taken out, what was taken out as spaces. */
function undo(code: string, spans: { from: number; cut: number; len: number }[]): string {
  let out = code;
  for (const s of [...spans].reverse()) out = out.slice(0, s.from) + ' '.repeat(s.cut) + out.slice(s.from + s.len);
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
