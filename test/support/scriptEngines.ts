// `tinyiot script` on both engines at once against one broker, for tests that compare their event
// streams (test/build/commands/script-engines-*.test.ts). Each engine gets the script with its own
// tag in every client id and topic, so the two sessions never meet; comparable() takes the tag out
// again and drops `reason`, the platform's own words, which are allowed to differ.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, type CliResult } from '../build/cliRun.js';
import { requireEspruino } from './espruino.js';

export type Engine = 'node' | 'espruino';
export const TAGS: Record<Engine, string> = { node: 'n', espruino: 'e' };

type Json = Record<string, unknown>;

/** The script with "<tag>/" before every topic and filter and "-<tag>" after every client id. */
export function tagged(script: Json, tag: string): Json {
  const step = (s: Json): Json => {
    const t: Json = { ...s };
    if (typeof t.clientId === 'string' && t.clientId) t.clientId = `${t.clientId}-${tag}`;
    if (typeof t.topic === 'string') t.topic = `${tag}/${t.topic}`;
    if (t.will) t.will = { ...(t.will as Json), topic: `${tag}/${(t.will as Json).topic}` };
    if (Array.isArray(t.filters)) {
      t.filters = t.filters.map((f: unknown) => (typeof f === 'string' ? `${tag}/${f}` : { ...(f as Json), topic: `${tag}/${(f as Json).topic}` }));
    }
    return t;
  };
  return { ...script, steps: (script.steps as Json[]).map(step) };
}

/** Events as both engines must print them: the tag taken out of topics, no `reason`. */
export function comparable(events: Json[], tag: string): Json[] {
  return events.map((e) => {
    const { reason: _platformWords, ...rest } = e;
    const t = rest.topic;
    if (typeof t === 'string' && t.startsWith(`${tag}/`)) rest.topic = t.slice(tag.length + 1);
    return rest;
  });
}

export interface EngineRuns {
  node: CliResult;
  /** Absent when no Espruino interpreter was found (requireEspruino() said so once). */
  espruino?: CliResult;
}

const espruino = requireEspruino();
export const engines: Engine[] = espruino.missing ? ['node'] : ['node', 'espruino'];

/**
 * Writes `name` in dir once per engine (tagged) and runs them at the same time; `onEvent` sees each
 * event as it is printed, with the engine's tag, so a test can act in the middle of a run.
 */
export async function runEngines(dir: string, name: string, script: Json, onEvent?: (e: Json, tag: string) => void, flags: string[] = []): Promise<EngineRuns> {
  const runs = await Promise.all(
    engines.map(async (engine) => {
      const tag = TAGS[engine];
      const file = join(dir, `${tag}-${name}`);
      await writeFile(file, JSON.stringify(tagged(script, tag)));
      return runCli(['script', '--engine', engine, ...flags, file], (line) => onEvent?.(JSON.parse(line) as Json, tag));
    }),
  );
  return { node: runs[0]!, espruino: runs[1] };
}

/** Both engines exited alike and printed the same events (tags and reasons aside); node's events, untagged. */
export function sameOnBoth(r: EngineRuns): Json[] {
  const node = comparable(r.node.events(), TAGS.node);
  if (r.espruino) {
    expect({ code: r.espruino.code, events: comparable(r.espruino.events(), TAGS.espruino) }).toEqual({ code: r.node.code, events: node });
  }
  return node;
}
