// Turns firmware TypeScript into one plain-ES5 script for an interpreter that keeps source in RAM.
// Pipeline (see shared/ESPRUINO.md): tsc lowers each module to ES5 (esbuild cannot lower classes,
// let/const or arrows to ES5) -> esbuild bundles the ES5 modules (scope-hoisted ESM, target es5 so
// its own glue stays ES5) -> we wrap the result in a function instead of esbuild's iife export glue
// (~600 bytes of getters and bind) -> terser minifies at ecma 5 -> verifyEs5 checks the result.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parse } from 'acorn';
import * as esbuild from 'esbuild';
import { minify as terser } from 'terser';
import ts from 'typescript';
import { verifyEs5 } from './verify.js';

export interface BundleOptions {
  /** Global variable the entry's exports are assigned to; without it exports are dropped. */
  globalName?: string;
  minify?: boolean;
  /** esbuild defines: identifier -> JS expression text. */
  define?: Record<string, string>;
  outFile?: string;
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

const tscEs5: esbuild.Plugin = {
  name: 'tsc-es5',
  setup(b) {
    // Firmware imports only its own files and hal/types.ts: no packages, no Node built-ins.
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      return { errors: [{ text: `firmware may import only relative files, not '${args.path}' (from ${args.importer})` }] };
    });
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const src = await readFile(args.path, 'utf8');
      const out = ts.transpileModule(src, { fileName: args.path, compilerOptions: es5Options, reportDiagnostics: true });
      const errors = (out.diagnostics ?? [])
        .filter((d) => d.category === ts.DiagnosticCategory.Error)
        .map((d) => {
          const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
          const location = at ? { file: args.path, line: at.line + 1, column: at.character } : null;
          return { text: ts.flattenDiagnosticMessageText(d.messageText, '\n'), location };
        });
      return errors.length ? { errors } : { contents: out.outputText, loader: 'js' };
    });
  },
};

interface Located { type: string; start: number; end: number; [k: string]: unknown }

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
      plugins: [tscEs5],
      logLevel: 'silent',
      legalComments: 'none',
      charset: 'ascii',
    });
  } catch (e) {
    const errs = (e as { errors?: esbuild.Message[] }).errors;
    if (!errs) throw e;
    throw new Error(`bundle of ${entry} failed:\n${errs.map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`).join('\n')}`);
  }
  const out = built.outputFiles[0];
  const meta = Object.values(built.metafile.outputs)[0];
  if (!out || !meta) throw new Error(`bundle of ${entry} produced no output`);
  let code = wrap(out.text, opts.globalName);
  if (minify) {
    // Not toplevel: with it terser unwraps the function into top-level vars, which on a board
    // are globals. Everything but globalName is inside the wrapper, so mangling loses nothing.
    // ascii_only: an Espruino reads source as bytes, so a raw UTF-8 literal would change length.
    const r = await terser(code, { ecma: 5, compress: { passes: 2 }, format: { comments: false, ascii_only: true } });
    if (r.code === undefined) throw new Error('terser produced no output');
    code = r.code;
  }
  const problems = verifyEs5(code);
  if (problems.length) throw new Error(`bundle of ${entry} is not plain ES5:\n  ${problems.join('\n  ')}`);
  const modules = Object.entries(meta.inputs)
    .map(([path, v]) => ({ path: relative(process.cwd(), resolve(path)), bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  if (opts.outFile) {
    await mkdir(dirname(resolve(opts.outFile)), { recursive: true });
    await writeFile(opts.outFile, code);
  }
  return { code, bytes: Buffer.byteLength(code), modules };
}
