// Turns firmware TypeScript into one plain-ES5 script for an interpreter that keeps source in RAM.
// Pipeline (see docs/espruino.md): tsc lowers each module to ES5 (esbuild cannot lower classes,
// let/const or arrows to ES5), a class loses its wrapper function (flattenClasses) -> esbuild
// bundles the ES5 modules (scope-hoisted ESM, target es5 so its own glue stays ES5) -> we wrap the result in a function instead of esbuild's iife export glue
// (~600 bytes of getters and bind), reading Array's methods off an array (Espruino) -> terser
// minifies at ecma 5 (or, unminified, only moves function declarations up) -> every var that could
// be used before its declaration is declared at the top of its function (Espruino) -> minified,
// the wrapper is taken apart so that its functions keep no scope link on Espruino
// (global-layout.ts) -> verifyEs5 checks the result.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';
import * as esbuild from 'esbuild';
import { minify as terser } from 'terser';
import ts from 'typescript';
import type { BundleMap } from './bundle-map.js';
import { applyEdits, type Edit, globalLayoutEdits } from './global-layout.js';
import { hoistEdits } from './hoist.js';
import { verifyEs5 } from './verify.js';

/**
 * Property names the minifier may shorten: the project's convention for names internal to a
 * bundle. Nothing outside the bundle (an app, a config file, the HAL) may read or write them.
 */
export const MANGLED = /_$/;

/** Gives `defineClass` to every module flattenClasses rewrote. */
const CLASS_HELPER = fileURLToPath(new URL('./class-helper.ts', import.meta.url));

export interface BundleOptions {
  /** Global variable the entry's exports are assigned to; without it exports are dropped. */
  globalName?: string;
  minify?: boolean;
  /** esbuild defines: identifier -> JS expression text. */
  define?: Record<string, string>;
  outFile?: string;
  /** Also a source map from the code back to the TypeScript sources (bundle-map.ts reads it). */
  sourceMap?: boolean;
  /**
   * 'wrapped' (the default) keeps the bundle's top level inside a function, as a library must be
   * (another bundle may share its global scope). 'global', minified and with a globalName, runs
   * it as the script's own, its names prefixed: a block less per function on Espruino, a byte
   * more per use of a top-level name (global-layout.ts). Firmware, alone on its board, is built so.
   */
  layout?: 'global' | 'wrapped';
}

export interface ModuleSize {
  /** Relative to the current directory. */
  path: string;
  /** Bytes this module contributes, from esbuild's metafile (esbuild-minified when minify is on). */
  bytes: number;
}

export interface BundleResult {
  code: string;
  bytes: number;
  /** Largest first. */
  modules: ModuleSize[];
  /** With sourceMap: terser's map (to the TypeScript sources) and the edits made after it (hoistVars, the global layout). */
  map?: BundleMap;
}

const es5Options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES5,
  module: ts.ModuleKind.ESNext,
  importHelpers: false,
  downlevelIteration: false,
  isolatedModules: true,
  removeComments: true,
  sourceMap: false,
};

const tscEs5 = (sourceMap: boolean): esbuild.Plugin => ({
  name: 'tsc-es5',
  setup(b) {
    // Firmware imports only its own files and this toolkit's: no other packages, no Node built-ins.
    // `tinyiot/<path>` (how an app outside this repository imports firmware/ and hal/, see the
    // package's exports) is this checkout's file, so the app is built against the very HAL and
    // boot code the generated entry uses, whichever copy of the package the app's folder holds.
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const own = toolkitFile(args.path);
      if (own) return { path: own };
      return { errors: [{ text: `firmware may import only relative files, not '${args.path}' (from ${args.importer}), and this toolkit's modules as tinyiot/firmware/... and tinyiot/hal/...` }] };
    });
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const src = await readFile(args.path, 'utf8');
      const compilerOptions = sourceMap ? { ...es5Options, inlineSourceMap: true } : es5Options;
      const out = ts.transpileModule(src, { fileName: args.path, compilerOptions, reportDiagnostics: true });
      const errors = (out.diagnostics ?? [])
        .filter((d) => d.category === ts.DiagnosticCategory.Error)
        .map((d) => {
          const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
          const location = at ? { file: args.path, line: at.line + 1, column: at.character } : null;
          return { text: ts.flattenDiagnosticMessageText(d.messageText, '\n'), location };
        });
      return errors.length ? { errors } : { contents: aliasThis(flattenClasses(out.outputText)), loader: 'js' };
    });
  },
});

const toolkitRoot = fileURLToPath(new URL('../', import.meta.url));

/** `tinyiot/firmware/mqtt/client` (or `.js`) -> this checkout's firmware/mqtt/client.ts; else undefined. */
export function toolkitFile(spec: string): string | undefined {
  const m = /^tinyiot\/((?:firmware|hal)\/[\w./-]+?)(\.js|\.ts)?$/.exec(spec);
  if (!m || m[1]!.split('/').includes('..')) return undefined;
  const file = join(toolkitRoot, `${m[1]}.ts`);
  return existsSync(file) ? file : undefined;
}

function shiftOneLine(mapJson: string): string {
  const m = JSON.parse(mapJson) as { mappings: string };
  return JSON.stringify({ ...m, mappings: ';' + m.mappings });
}

interface Located { type: string; start: number; end: number; [k: string]: unknown }

/**
 * tsc lowers a class to `var C = (function () { function C() {...} C.prototype.m = ...; return C; }());`.
 * On Espruino a function made inside that wrapper costs about three blocks more than one made at
 * the module's level (measured on the Linux build: a function one level deeper is dearer), so a
 * class whose wrapper holds only its constructor and methods becomes
 * `var C = /* @__PURE__ *\/ defineClass(function C() {...}, { m: ..., n: ... });`: every function
 * made at the module's level, and the whole of it dropped from a bundle that does not use it, as
 * tsc's wrapper was (`defineClass`, class-helper.ts, is injected by the bundler).
 * Anything else (a base class, static members, accessors) keeps its wrapper.
 */
export function flattenClasses(code: string): string {
  const ast = parse(code, { ecmaVersion: 2020, sourceType: 'module' }) as unknown as { body: Located[] };
  let out = '';
  let from = 0;
  for (const node of ast.body) {
    const decl = (node.declarations as Located[] | undefined)?.[0];
    const call = decl?.init as Located | undefined;
    const fn = call?.type === 'CallExpression' ? call.callee as Located : undefined;
    if (node.type !== 'VariableDeclaration' || (node.declarations as Located[]).length !== 1 || !fn ||
      fn.type !== 'FunctionExpression' || (fn.params as Located[]).length || (call!.arguments as Located[]).length) continue;
    const name = (decl!.id as { name?: string }).name;
    const body = (fn.body as { body: Located[] }).body;
    const first = body[0], last = body[body.length - 1];
    const named = (n: unknown) => (n as { type?: string; name?: string } | undefined)?.name === name;
    // `C.prototype.m = function ...;`: its name, else undefined.
    const method = (st: Located) => {
      const e = st.expression as Located | undefined;
      const left = e?.left as Located | undefined;
      const obj = left?.object as Located | undefined;
      const ok = st.type === 'ExpressionStatement' && e!.type === 'AssignmentExpression' && e!.operator === '=' &&
        left!.type === 'MemberExpression' && !left!.computed && obj?.type === 'MemberExpression' && !obj.computed &&
        named(obj.object) && (obj.property as { name?: string }).name === 'prototype' &&
        (e!.right as Located).type === 'FunctionExpression';
      return ok ? (left!.property as { name: string }).name : undefined;
    };
    if (!first || first.type !== 'FunctionDeclaration' || !named(first.id) || body.length < 2 ||
      last!.type !== 'ReturnStatement' || !named(last!.argument) || !body.slice(1, -1).every(method)) continue;
    const members = body.slice(1, -1).map((st) => `    ${method(st)}: ${code.slice(((st.expression as Located).right as Located).start, ((st.expression as Located).right as Located).end)}`);
    const ctor = code.slice(first.start, first.end);
    out += code.slice(from, node.start) + `var ${name} = /* @__PURE__ */ defineClass(${ctor}, {\n${members.join(',\n')}\n});`;
    from = node.end;
  }
  return out + code.slice(from);
}

/**
 * In a function that reads `this` three times or more, `this` becomes a variable set once at its
 * top (`var this$ = this;`), which the minifier shortens to one letter: a method's `this.x_` is
 * then 3 characters, not 6, of source a board keeps and lexes on every run.
 */
export function aliasThis(code: string): string {
  const ast = parse(code, { ecmaVersion: 2020, sourceType: 'module' }) as unknown as Located;
  const edits: { at: number; end: number; text: string }[] = [];
  const visit = (n: Located, uses: Located[] | undefined): void => {
    const fn = n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration';
    const own: Located[] | undefined = fn ? [] : uses;
    if (n.type === 'ThisExpression') uses?.push(n);
    for (const k in n) {
      const v = n[k] as Located | Located[] | null;
      if (Array.isArray(v)) v.forEach((c) => c && typeof c.type === 'string' && visit(c, own));
      else if (v && typeof v === 'object' && typeof v.type === 'string') visit(v, own);
    }
    if (!fn || own!.length < 3) return;
    edits.push({ at: (n.body as Located).start + 1, end: (n.body as Located).start + 1, text: 'var this$ = this;' });
    for (const u of own!) edits.push({ at: u.start, end: u.end, text: 'this$' });
  };
  visit(ast, undefined);
  edits.sort((a, b) => a.at - b.at);
  let out = '';
  let from = 0;
  for (const e of edits) {
    out += code.slice(from, e.at) + e.text;
    from = e.end;
  }
  return out + code.slice(from);
}

/** Replaces esbuild's trailing `export { a as b }` with a function that returns the exports. */
function wrap(esm: string, globalName: string | undefined): string {
  const ast = parse(esm, { ecmaVersion: 2020, sourceType: 'module' }) as unknown as { body: Located[] };
  const props: string[] = [];
  let body = '';
  let at = 0;
  for (const node of ast.body) {
    if (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration') {
      throw new Error(`bundle: unresolved module statement: ${esm.slice(node.start, node.end)}`);
    }
    if (node.type !== 'ExportNamedDeclaration') continue;
    if (node.declaration) throw new Error('bundle: unexpected export declaration in esbuild output');
    for (const s of node.specifiers as { local: { name: string }; exported: { name?: string; value?: string } }[]) {
      const name = s.exported.name ?? String(s.exported.value);
      props.push(`${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}:${s.local.name}`);
    }
    body += esm.slice(at, node.start);
    at = node.end;
  }
  body += esm.slice(at);
  return globalName
    ? `var ${globalName}=(function(){\n${body}\nreturn{${props.join(',')}};\n})();\n`
    : `(function(){\n${body}\n})();\n`;
}

/**
 * `Array.prototype.slice` -> `[].slice`, and so on for every method read off Array.prototype: on
 * Espruino the built-in methods are found through an array but not on Array.prototype, which gives
 * undefined. tsc's own helpers read them that way (__spreadArray: Array.prototype.slice.call).
 * Assignments to Array.prototype are left alone.
 */
function arrayMethodsFromInstance(code: string): string {
  const ast = parse(code, { ecmaVersion: 5 }) as unknown as Located;
  const at: number[] = [];
  const visit = (n: Located, assigned: boolean): void => {
    const o = n.object as Located | undefined;
    if (n.type === 'MemberExpression' && !assigned && !n.computed && o?.type === 'MemberExpression' && !o.computed &&
      (o.object as Located).type === 'Identifier' && (o.object as { name: string }).name === 'Array' &&
      (o.property as { name: string }).name === 'prototype') at.push(o.start, o.end);
    for (const k in n) {
      const v = n[k] as Located | Located[] | null;
      const target = n.type === 'AssignmentExpression' && k === 'left';
      if (Array.isArray(v)) v.forEach((c) => c && typeof c.type === 'string' && visit(c, false));
      else if (v && typeof v === 'object' && typeof v.type === 'string') visit(v, target);
    }
  };
  visit(ast, false);
  let out = '';
  let from = 0;
  for (let i = 0; i < at.length; i += 2) {
    // Padded to the same length (`[]   .slice` is valid), so a source map of `code` still holds.
    out += code.slice(from, at[i]) + '[]'.padEnd(at[i + 1]! - at[i]!, ' ');
    from = at[i + 1]!;
  }
  return out + code.slice(from);
}

export async function bundleFirmware(entry: string, opts: BundleOptions = {}): Promise<BundleResult> {
  if (typeof entry !== 'string' || !entry) throw new Error('bundleFirmware: entry must be a file path');
  if (opts.globalName !== undefined && !/^[A-Za-z_$][\w$]*$/.test(opts.globalName)) {
    throw new Error(`bundleFirmware: globalName '${opts.globalName}' is not an identifier`);
  }
  const minify = opts.minify ?? false;
  let built: esbuild.BuildResult & { metafile: esbuild.Metafile; outputFiles: esbuild.OutputFile[] };
  try {
    built = await esbuild.build({
      entryPoints: [resolve(entry)],
      bundle: true,
      format: 'esm',
      target: 'es5',
      platform: 'neutral',
      write: false,
      metafile: true,
      minify,
      define: opts.define,
      plugins: [tscEs5(opts.sourceMap === true)],
      inject: [CLASS_HELPER],
      ...(opts.sourceMap ? { sourcemap: 'external' as const, outfile: 'bundle.js' } : {}),
      logLevel: 'silent',
      legalComments: 'none',
      charset: 'ascii',
    });
  } catch (e) {
    const errs = (e as { errors?: esbuild.Message[] }).errors;
    if (!errs) throw e;
    throw new Error(`bundle of ${entry} failed:\n${errs.map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`).join('\n')}`);
  }
  const out = built.outputFiles.find((f) => !f.path.endsWith('.map'));
  const esbuildMap = built.outputFiles.find((f) => f.path.endsWith('.map'));
  const meta = Object.entries(built.metafile.outputs).find(([k]) => !k.endsWith('.map'))?.[1];
  if (!out || !meta) throw new Error(`bundle of ${entry} produced no output`);
  // Not toplevel: terser minifies inside the wrapper, where mangling loses nothing, and the global
  // layout (global-layout.ts) takes the wrapper apart afterwards, with its names prefixed.
  // ascii_only: an Espruino reads source as bytes, so a raw UTF-8 literal would change length.
  // hoist_funs: Espruino declares a function or var only when its statement runs, and a name used
  // before that reaches the outer variable of that name. terser gives inner variables the names of
  // outer ones and merges or drops repeated declarations (two block `const g` of one function
  // become one `var g`), so a declaration can land after a use; and tsc's classes call their
  // constructor function before its declaration. hoistVars (hoist.ts) declares what is still late
  // at the top of its function; verifyEs5 then proves nothing is. Not terser's hoist_vars: it
  // turns the bundle's constants (the packet types) into assignments, which terser then cannot
  // put in place of their names, so each stays a variable that Espruino keeps in a block and looks
  // up at every use (without it the core client is 75 bytes and 10 blocks smaller).
  // Properties whose names end in `_` (MANGLED) are internal to the bundle: minified, terser gives
  // them short names, which an Espruino keeps in fewer bytes of source and of each property.
  const r = await terser(arrayMethodsFromInstance(wrap(out.text, opts.globalName)), {
    ...(minify
      ? { ecma: 5, compress: { passes: 2, hoist_vars: false, hoist_funs: true }, mangle: { properties: { regex: MANGLED } }, format: { comments: false, ascii_only: true } }
      : { ecma: 5, compress: { defaults: false, hoist_funs: true }, mangle: false, format: { beautify: true, comments: false, ascii_only: true } }),
    // wrap() puts one line before esbuild's code: its map gets one empty line in front.
    ...(esbuildMap ? { sourceMap: { content: shiftOneLine(esbuildMap.text) } } : {}),
  });
  if (r.code === undefined) throw new Error('terser produced no output');
  const hoisted = hoistEdits(r.code);
  const edits: Edit[] = minify && opts.globalName && opts.layout === 'global'
    ? globalLayoutEdits(r.code, opts.globalName, hoisted)
    : hoisted.map((h) => ({ at: h.at, cut: 0, text: h.text }));
  const code = applyEdits(r.code, edits);
  const problems = verifyEs5(code);
  if (problems.length) throw new Error(`bundle of ${entry} is not plain ES5:\n  ${problems.join('\n  ')}`);
  const modules = Object.entries(meta.inputs)
    .map(([path, v]) => ({ path: relative(process.cwd(), resolve(path)), bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  if (opts.outFile) {
    await mkdir(dirname(resolve(opts.outFile)), { recursive: true });
    await writeFile(opts.outFile, code);
  }
  const map = esbuildMap && typeof r.map === 'string' ? { map: r.map, edits: edits.map((e) => ({ at: e.at, cut: e.cut, len: e.text.length })) } : undefined;
  return { code, bytes: Buffer.byteLength(code), modules, map };
}
