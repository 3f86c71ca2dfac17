// Checks of an app's own source, so a mistake is reported at the user's file:line:col rather than
// in the bundle: TypeScript's type check with the project's settings (the nearest tsconfig.json,
// else strict defaults with the ES5 library), that main.ts exports a function main, and, when the
// bundle is not plain ES5, which line of the app's own modules is not.
// `tinyiot/...` resolves to this checkout, as the bundler resolves it (build/bundle.ts), and what
// TypeScript says about this toolkit's own files is left out: those are checked by its own build.
import { SourceMap } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { verifyEs5 } from '../verify.js';

const toolkitRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Defaults where the project has no tsconfig.json: strict, and only what ES5 has (no Object.assign). */
const defaults: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES5,
  lib: ['lib.es5.d.ts'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  skipLibCheck: true,
  types: [],
};

export interface AppCheck {
  /** `file:line:col: message` lines, empty when the app passed. */
  problems: string[];
  /** The app's own source files (outside this toolkit), for locating ES5 problems. */
  files: string[];
}

/** Relative to the current directory when the file is under it, else absolute. */
export const shown = (file: string): string => {
  const r = relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : resolve(file);
};
/** This toolkit's firmware and HAL, which `tinyiot/...` names; an app may live anywhere else, in this checkout too. */
const toolkitDirs = ['firmware', 'hal'].map((d) => resolve(toolkitRoot, d) + sep);
const own = (file: string): boolean =>
  !toolkitDirs.some((d) => resolve(file).startsWith(d)) && !file.includes(`${sep}node_modules${sep}`) && !file.endsWith('.d.ts');

function where(d: ts.Diagnostic): string {
  if (!d.file || d.start === undefined) return '';
  const p = d.file.getLineAndCharacterOfPosition(d.start);
  return `${shown(d.file.fileName)}:${p.line + 1}:${p.character + 1}: `;
}

function format(d: ts.Diagnostic): string {
  return `${where(d)}error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
}

function options(main: string): { options: ts.CompilerOptions; problems: string[] } {
  const config = ts.findConfigFile(dirname(main), ts.sys.fileExists, 'tsconfig.json');
  let base = defaults;
  const problems: string[] = [];
  if (config) {
    const host: ts.ParseConfigFileHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => problems.push(format(d)) };
    const parsed = ts.getParsedCommandLineOfConfigFile(config, {}, host);
    if (parsed) {
      // "No inputs were found" is about the config's own include list, which the build does not use.
      problems.push(...parsed.errors.filter((d) => d.code !== 18003).map(format));
      base = parsed.options;
    }
  }
  const paths = { ...base.paths, 'tinyiot/*': [`${toolkitRoot}*`] };
  return { options: { ...base, noEmit: true, paths, allowImportingTsExtensions: false }, problems };
}

function mainProblem(program: ts.Program, main: string): string | undefined {
  const sf = program.getSourceFile(main);
  const checker = program.getTypeChecker();
  const mod = sf && checker.getSymbolAtLocation(sf);
  const sym = mod && checker.getExportsOfModule(mod).find((s) => s.name === 'main');
  const callable = sym && checker.getTypeOfSymbolAtLocation(sym, sf).getCallSignatures().length > 0;
  return callable ? undefined : `${shown(main)} does not export a function main(hal, cfg)`;
}

/** Type-checks the app whose entry is `main` (main.ts). */
export function checkApp(main: string): AppCheck {
  const o = options(main);
  if (o.problems.length) return { problems: o.problems, files: [] };
  const program = ts.createProgram({ rootNames: [main], options: o.options });
  const files = program.getSourceFiles().map((f) => f.fileName).filter(own);
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || own(d.file.fileName));
  const problems = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map(format);
  const noMain = mainProblem(program, resolve(main).split(sep).join('/'));
  return { problems: noMain ? [noMain, ...problems] : problems, files };
}

/**
 * What in the app's own modules is not plain ES5, at file:line:col: each is compiled alone to ES5
 * (as the bundler does) and checked, and the checker's positions are mapped back through
 * TypeScript's source map. Only used once the bundle failed the check, to say where.
 */
export function es5ProblemsInSource(files: string[], read: (f: string) => string): string[] {
  const out: string[] = [];
  for (const file of files) {
    const r = ts.transpileModule(read(file), {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS, sourceMap: true, removeComments: true },
    });
    const map = new SourceMap(JSON.parse(r.sourceMapText!));
    for (const p of verifyEs5(r.outputText)) {
      const m = /^(\d+):(\d+): ([^]*)$/.exec(p);
      // Late declarations and Array.prototype reads are the bundler's to fix; the rest is the app's.
      if (!m || /Espruino declares it only|reads Array\.prototype/.test(m[3]!)) continue;
      const e = map.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as { originalLine?: number; originalColumn?: number };
      const at = e.originalLine !== undefined ? `${e.originalLine + 1}:${e.originalColumn! + 1}` : `${m[1]}:${m[2]}`;
      out.push(`${shown(file)}:${at}: ${m[3]}`);
    }
  }
  return out;
}
