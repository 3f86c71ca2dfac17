// Tests that need a Debian binary (mosquitto) skip when it is missing on a developer's box, and fail
// on CI, which sets TINYIOT_REQUIRE_DEBIAN=1 and installs the packages.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Binary {
  /** Absolute path, or undefined when the binary is missing (and allowed to be). */
  path: string | undefined;
  /** For describe.skipIf(). */
  missing: boolean;
}

const extraDirs = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export function findBinary(name: string): string | undefined {
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

/** Throws when the binary is missing and TINYIOT_REQUIRE_DEBIAN=1; otherwise warns and reports it missing. */
export function requireBinary(name: string, pkg = name): Binary {
  const path = findBinary(name);
  if (path) return { path, missing: false };
  const msg = `${name} not installed (apt-get install -y ${pkg})`;
  if (process.env.TINYIOT_REQUIRE_DEBIAN === '1') throw new Error(`${msg}: required because TINYIOT_REQUIRE_DEBIAN=1`);
  console.warn(`${msg}: skipping`);
  return { path: undefined, missing: true };
}
