// `npm run bench`: runs every test/bench/*.ts module that exports run(), one after another.
// A module that throws marks the whole run failed but does not stop the others.
// `npm run bench -- espruino size` runs only the modules whose file names start with those words.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const self = fileURLToPath(import.meta.url);
const only = process.argv.slice(2);

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .map((f) => dir + f)
  .filter((f) => f !== self)
  .filter((f) => !only.length || only.some((w) => f.slice(dir.length).startsWith(w)))
  .sort();

let failed = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(file).href)) as { run?: () => unknown };
  if (typeof mod.run !== 'function') continue;
  const name = file.slice(dir.length);
  console.log(`\n== ${name}`);
  try {
    await mod.run();
  } catch (e) {
    failed++;
    console.error(`${name} failed: ${(e as Error).stack ?? e}`);
  }
}
if (failed) process.exitCode = 1;
