// Tests that need a Debian binary (mosquitto, duk, mujs) skip when it is missing on a developer's box,
// and fail on CI, which sets TINYIOT_REQUIRE_DEBIAN=1 and installs the packages.
// Test aid: TINYIOT_HIDE_BINARIES=mujs,duk makes findBinary (and build/es5-engines.ts) treat those
// commands as not installed, to check the skip and the CI failure without uninstalling anything.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { requireEspruino } from './espruino.js';

export interface Binary {
  /** Absolute path, or undefined when the binary is missing (and allowed to be). */
  path: string | undefined;
  /** For describe.skipIf(). */
  missing: boolean;
}

const extraDirs = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

function hidden(name: string): boolean {
  return (process.env.TINYIOT_HIDE_BINARIES ?? '').split(',').some((h) => h.trim() === name);
}

export function findBinary(name: string): string | undefined {
  if (hidden(name)) return undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

const warned = new Set<string>();

/** Throws when the binary is missing and TINYIOT_REQUIRE_DEBIAN=1; otherwise warns (once) and reports it missing. */
export function requireBinary(name: string, pkg = name): Binary {
  const path = findBinary(name);
  if (path) return { path, missing: false };
  const msg = `${name} not installed (apt-get install -y ${pkg})`;
  if (process.env.TINYIOT_REQUIRE_DEBIAN === '1') throw new Error(`${msg}: required because TINYIOT_REQUIRE_DEBIAN=1`);
  if (!warned.has(name)) console.warn(`${msg}: skipping`);
  warned.add(name);
  return { path: undefined, missing: true };
}

// quickjs comes from npm and is always there; duktape and mujs are Debian's.
const engineBinaries: Record<string, [string, string] | undefined> = {
  duktape: ['duk', 'duktape duktape-dev'],
  mujs: ['mujs', 'mujs'],
};

/**
 * requireBinary for an ES5 engine of build/es5-engines.ts: true when its tests must be skipped.
 * Espruino's interpreter is no Debian package: requireEspruino() finds it (TINYIOT_REQUIRE_ESPRUINO).
 */
export function engineMissing(engine: string): boolean {
  if (engine === 'espruino') return requireEspruino().missing;
  const b = engineBinaries[engine];
  return b ? requireBinary(b[0], b[1]).missing : false;
}
