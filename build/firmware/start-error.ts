// A start-up throw of an app of the user's own, said in its TypeScript source: the stack's frames in
// the bundle are mapped back through the bundle's source map (build/bundle-map.ts), and frames that
// would name what the user cannot open (the generated entry in a temporary folder that is gone, the
// harness's own code) are left out. QuickJS names the bundle bundle.js and runs the stand-ins'
// prelude before it; Espruino's frames count positions inside each function's own text, which no
// map can follow, so after a throw there the start is run once more in QuickJS for the frames.
import { existsSync } from 'node:fs';
import type { Board } from '../boards.js';
import { type BundleMap, mapStack } from '../bundle-map.js';
import { type SmokeResult, smokeRun } from './smoke.js';
import { espruinoStub, halStub } from './stub-env.js';

export interface StartFailure {
  code: string;
  map: BundleMap;
  boot: string;
  board: Board;
  cfg: object;
}

/** The error's first line, then the frames that name a source file that exists. */
function sourceFrames(message: string, mapped: string): string {
  const frames = mapped.split('\n').slice(1).filter((l) => {
    const m = /\(([^()]+):\d+:\d+\)\s*$/.exec(l) ?? /^\s*at (\S+):\d+:\d+\s*$/.exec(l);
    return m && !m[1]!.endsWith('.entry.ts') && existsSync(m[1]!);
  });
  return [message, ...frames].join('\n');
}

function quickjsFrames(error: string, f: StartFailure): string {
  const prelude = f.board.hal === 'emulated' ? halStub(f.cfg) : espruinoStub(f.board, f.cfg);
  return mapStack(error, f.code, f.map, ['bundle.js'], prelude.split('\n').length - 1);
}

export async function startErrorInSource(smoke: SmokeResult, f: StartFailure): Promise<string> {
  const error = smoke.error ?? '';
  const message = error.split('\n')[0]!;
  if (smoke.engine === 'quickjs') return sourceFrames(message, quickjsFrames(error, f));
  const again = await smokeRun(f.code, f.boot, f.board, f.cfg, 'quickjs');
  if (again.ok || !again.error) return sourceFrames(message, mapStack(error, f.code, f.map, ['tinyiot.js'], 0, true));
  return sourceFrames(message, quickjsFrames(again.error, f));
}
