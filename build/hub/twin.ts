// Device twins: desired and reported properties, each with its own $version, kept in memory and
// written to twins.json on every change (the hub is the file's only writer). Patches follow IoT
// Hub's rules (limits.ts): a JSON object whose keys hold no `.`, `$`, space or control character,
// at most 10 levels deep; a null deletes a key; objects merge, everything else replaces; a patch
// that would take one side of the twin over 32 KB is refused and changes nothing.
// Property names come from devices and service callers, so every object the store keeps has no
// prototype and every write defines an own property: a key such as `__proto__` or `constructor`
// is a property like any other and can never reach Object.prototype or another device's twin.
import { readJson, writeJson } from './files.js';
import { TWIN_LIMITS } from './limits.js';

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

const { maxPatchBytes, maxSideBytes, maxDepth, maxKeyBytes, maxStringBytes } = TWIN_LIMITS;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Sets an own property whatever the key: plain assignment of `__proto__` would set the prototype. */
function setOwn(o: Obj, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

/** A deep copy in which every object has a null prototype (arrays stay arrays). */
export function ownCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(ownCopy);
  if (!isObj(v)) return v;
  const o: Obj = Object.create(null);
  for (const k of Object.keys(v)) setOwn(o, k, ownCopy(v[k]));
  return o;
}

/**
 * IoT Hub's twin size: the UTF-8 length of every key and string value, 8 bytes a number, 4 a
 * boolean, objects and arrays the sum of what they hold (control characters are not counted).
 */
export function twinSize(v: unknown): number {
  if (typeof v === 'string') return utf8Bytes(v.replace(/[\x00-\x1f\x7f-\x9f]/g, ''));
  if (typeof v === 'number') return 8;
  if (typeof v === 'boolean') return 4;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + twinSize(x), 0);
  if (!isObj(v)) return 0;
  let n = 0;
  for (const k of Object.keys(v)) n += twinSize(k) + twinSize(v[k]);
  return n;
}

/** Why `patch` is not an acceptable twin patch, or null when it is. */
export function patchError(patch: unknown): string | null {
  if (!isObj(patch)) return 'a twin patch must be a JSON object';
  if (JSON.stringify(patch).length > maxPatchBytes) return `a twin patch must be at most ${maxPatchBytes} bytes`;
  const value = (v: unknown, depth: number): string | null => {
    if (typeof v === 'string' && utf8Bytes(v) > maxStringBytes) return `a twin string value may be at most ${maxStringBytes} bytes`;
    if (Array.isArray(v)) {
      for (const x of v) {
        const e = value(x, depth);
        if (e) return e;
      }
    }
    return isObj(v) ? walk(v, depth + 1) : null;
  };
  const walk = (o: Obj, depth: number): string | null => {
    if (depth > maxDepth) return `a twin patch may nest at most ${maxDepth} levels`;
    for (const k of Object.keys(o)) {
      // eslint-disable-next-line no-control-regex
      if (!k || /[.$ \x00-\x1f\x7f-\x9f]/.test(k)) return `property name '${k}' is not allowed (no '.', '$', space or control characters)`;
      if (utf8Bytes(k) > maxKeyBytes) return `a twin property name may be at most ${maxKeyBytes} bytes`;
      const e = value(o[k], depth);
      if (e) return e;
    }
    return null;
  };
  return walk(patch, 1);
}

/** Applies `patch` to `target` in place: null deletes, objects merge, anything else replaces. */
export function mergePatch(target: Obj, patch: Obj): void {
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) delete target[k];
    else if (isObj(v)) {
      const old = Object.hasOwn(target, k) ? target[k] : undefined;
      const t = isObj(old) ? old : (Object.create(null) as Obj);
      setOwn(target, k, t);
      mergePatch(t, v);
    } else setOwn(target, k, ownCopy(v));
  }
}

/** A plain JSON copy for callers: own properties only, nothing shared with the store. */
const plainCopy = (o: Obj): Obj => JSON.parse(JSON.stringify(o)) as Obj;

export class TwinStore {
  private readonly twins = new Map<string, Stored>();

  constructor(private readonly path: string) {
    const file = readJson<unknown>(path, {});
    if (!isObj(file)) throw new Error(`${path}: not a JSON object of twins`);
    for (const id of Object.keys(file)) {
      const t = file[id] as Partial<Stored> | null;
      if (!isObj(t)) continue;
      this.twins.set(id, {
        desired: isObj(t.desired) ? (ownCopy(t.desired) as Obj) : Object.create(null),
        desiredVersion: Number.isSafeInteger(t.desiredVersion) ? t.desiredVersion! : 1,
        reported: isObj(t.reported) ? (ownCopy(t.reported) as Obj) : Object.create(null),
        reportedVersion: Number.isSafeInteger(t.reportedVersion) ? t.reportedVersion! : 1,
      });
    }
  }

  private twin(deviceId: string): Stored {
    let t = this.twins.get(deviceId);
    // A new twin starts at version 1 on both sides, as in IoT Hub.
    if (!t) this.twins.set(deviceId, (t = { desired: Object.create(null), desiredVersion: 1, reported: Object.create(null), reportedVersion: 1 }));
    return t;
  }

  get(deviceId: string): TwinDoc {
    const t = this.twins.get(deviceId);
    return {
      desired: { ...(t ? plainCopy(t.desired) : {}), $version: t?.desiredVersion ?? 1 },
      reported: { ...(t ? plainCopy(t.reported) : {}), $version: t?.reportedVersion ?? 1 },
    };
  }

  /** The new reported $version; throws (400-class) on a bad patch or one over the size limit. */
  patchReported(deviceId: string, patch: unknown): number {
    const t = this.apply(deviceId, patch, 'reported');
    return this.save(++t.reportedVersion);
  }

  /** The new desired $version and the body to push to the device. */
  patchDesired(deviceId: string, patch: unknown): { version: number; body: Obj } {
    const t = this.apply(deviceId, patch, 'desired');
    const version = this.save(++t.desiredVersion);
    return { version, body: { ...plainCopy(patch as Obj), $version: version } };
  }

  delete(deviceId: string): void {
    if (this.twins.delete(deviceId)) this.save(0);
  }

  /** Merges into a copy first, so a refused patch leaves the twin as it was. */
  private apply(deviceId: string, patch: unknown, side: 'desired' | 'reported'): Stored {
    const e = patchError(patch);
    if (e) throw new Error(e);
    const t = this.twin(deviceId);
    const next = ownCopy(t[side]) as Obj;
    mergePatch(next, patch as Obj);
    const size = twinSize(next);
    if (size > maxSideBytes) throw new Error(`the patch would make the ${side} properties ${size} bytes; IoT Hub allows ${maxSideBytes}`);
    t[side] = next;
    return t;
  }

  private save<T>(result: T): T {
    // Object.fromEntries defines own properties, so an id such as `__proto__` is written as a key.
    writeJson(this.path, Object.fromEntries(this.twins));
    return result;
  }
}
