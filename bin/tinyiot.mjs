#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so no build step stands between install and use.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../build/cli.ts');
process.exitCode = await main(process.argv.slice(2));
