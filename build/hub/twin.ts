// Device twins: desired and reported properties, each with its own $version, kept in memory and
// written to twins.json on every change (the hub is the file's only writer). Patches follow IoT
// Hub's rules: a JSON object whose keys hold no `.`, `$`, space or control character, at most 10
// levels deep and 32 KB long; a null deletes a key; objects merge, everything else replaces.
import { readJson, writeJson } from './files.js';

type Obj = { [k: string]: unknown };

interface Stored {
  desired: Obj;
  desiredVersion: number;
  reported: Obj;
  reportedVersion: number;
}

export interface TwinDoc {
  desired: Obj & { $version: number };
  reported: Obj & { $version: number };
}

const MAX_BYTES = 32 * 1024;
const MAX_DEPTH = 10;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `patch` is not an acceptable twin patch, or null when it is. */
export function patchError(patch: unknown): string | null {
  if (!isObj(patch)) return 'a twin patch must be a JSON object';
  if (JSON.stringify(patch).length > MAX_BYTES) return `a twin patch must be at most ${MAX_BYTES} bytes`;
  const walk = (o: Obj, depth: number): string | null => {
    if (depth > MAX_DEPTH) return `a twin patch may nest at most ${MAX_DEPTH} levels`;
    for (const [k, v] of Object.entries(o)) {
      // eslint-disable-next-line no-control-regex
      if (!k || /[.$ \x00-\x1f\x7f-\x9f]/.test(k)) return `property name '${k}' is not allowed (no '.', '$', space or control characters)`;
      const e = isObj(v) ? walk(v, depth + 1) : null;
      if (e) return e;
    }
    return null;
  };
  return walk(patch, 1);
}

/** Applies `patch` to `target` in place: null deletes, objects merge, anything else replaces. */
export function mergePatch(target: Obj, patch: Obj): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (isObj(v)) {
      const t = isObj(target[k]) ? (target[k] as Obj) : (target[k] = {});
      mergePatch(t, v);
    } else target[k] = structuredClone(v);
  }
}

export class TwinStore {
  private twins: Record<string, Stored>;

  constructor(private readonly path: string) {
    this.twins = readJson<Record<string, Stored>>(path, {});
  }

  private twin(deviceId: string): Stored {
    // A new twin starts at version 1 on both sides, as in IoT Hub.
    return (this.twins[deviceId] ??= { desired: {}, desiredVersion: 1, reported: {}, reportedVersion: 1 });
  }

  get(deviceId: string): TwinDoc {
    const t = this.twin(deviceId);
    return {
      desired: { ...structuredClone(t.desired), $version: t.desiredVersion },
      reported: { ...structuredClone(t.reported), $version: t.reportedVersion },
    };
  }

  /** The new reported $version; throws (400-class) on a bad patch. */
  patchReported(deviceId: string, patch: unknown): number {
    const t = this.apply(deviceId, patch, 'reported');
    return this.save(++t.reportedVersion);
  }

  /** The new desired $version and the body to push to the device. */
  patchDesired(deviceId: string, patch: unknown): { version: number; body: Obj } {
    const t = this.apply(deviceId, patch, 'desired');
    const version = this.save(++t.desiredVersion);
    return { version, body: { ...(patch as Obj), $version: version } };
  }

  delete(deviceId: string): void {
    if (!(deviceId in this.twins)) return;
    delete this.twins[deviceId];
    this.save(0);
  }

  private apply(deviceId: string, patch: unknown, side: 'desired' | 'reported'): Stored {
    const e = patchError(patch);
    if (e) throw new Error(e);
    const t = this.twin(deviceId);
    mergePatch(t[side], patch as Obj);
    return t;
  }

  private save<T>(result: T): T {
    writeJson(this.path, this.twins);
    return result;
  }
}
