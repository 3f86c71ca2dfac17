import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkApp, es5ProblemsInSource } from '../../../build/firmware/app-check.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-app-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function app(name: string, files: Record<string, string>): string {
  const p = join(dir, name);
  mkdirSync(p);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(p, f), text);
  return join(p, 'main.ts');
}

describe('checkApp', () => {
  it('passes an app that imports tinyiot/... and lists only its own files', () => {
    const main = app('good', {
      'main.ts': "import type { Hal } from 'tinyiot/hal/types';\nimport { helper } from './helper';\nexport function main(hal: Hal): void { hal.log.info(helper()); }\n",
      'helper.ts': "export const helper = (): string => 'hi';\n",
    });
    const r = checkApp(main);
    expect(r.problems).toEqual([]);
    expect(r.files.sort()).toEqual([join(dir, 'good', 'helper.ts'), main]);
  });

  it('without a tsconfig.json, ES5\'s library: an ES2015 call is a type error at its line', () => {
    const main = app('es2015', { 'main.ts': "export function main(): void {\n  const a = Array.from('ab');\n  void a;\n}\n" });
    expect(checkApp(main).problems).toEqual([expect.stringMatching(/main\.ts:2:19: error TS2550: Property 'from' does not exist/)]);
  });

  it('names a main.ts without a callable main', () => {
    const main = app('nomain', { 'main.ts': 'export const main = 3;\n' });
    expect(checkApp(main).problems[0]).toMatch(/nomain\/main\.ts does not export a function main\(hal, cfg\)$/);
  });

  it('follows the project\'s tsconfig.json', () => {
    const main = app('loose', {
      'main.ts': 'export function main(hal, cfg) { return [hal, cfg]; }\n',
      'tsconfig.json': '{"compilerOptions": {"strict": false, "lib": ["ES5"]}}',
    });
    expect(checkApp(main).problems).toEqual([]);
  });
});

describe('es5ProblemsInSource', () => {
  it('names what is not ES5 at the TypeScript line and column, leaving what the bundler fixes', () => {
    const main = app('modern', { 'main.ts': 'export function main(): void {\n  f();\n  function f() { return Object.entries({}); }\n}\n' });
    const problems = es5ProblemsInSource([main], (f) => readFileSync(f, 'utf8'));
    expect(problems).toEqual([expect.stringMatching(/modern\/main\.ts:3:25: uses Object\.entries \(not in ES5\)$/)]);
  });
});
