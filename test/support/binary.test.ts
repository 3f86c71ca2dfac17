import { afterEach, describe, expect, it, vi } from 'vitest';
import { findBinary, requireBinary } from './binary.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const absent = 'tinyiot-no-such-binary';

describe('requireBinary', () => {
  it('finds a binary on PATH or in sbin', () => {
    expect(findBinary('sh')).toMatch(/\/sh$/);
    expect(requireBinary('sh')).toEqual({ path: findBinary('sh'), missing: false });
  });

  it('warns and reports a missing binary when Debian packages are optional', () => {
    vi.stubEnv('TINYIOT_REQUIRE_DEBIAN', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireBinary(absent, 'some-pkg')).toEqual({ path: undefined, missing: true });
    expect(warn).toHaveBeenCalledWith(`${absent} not installed (apt-get install -y some-pkg): skipping`);
  });

  it('throws for a missing binary when TINYIOT_REQUIRE_DEBIAN=1', () => {
    vi.stubEnv('TINYIOT_REQUIRE_DEBIAN', '1');
    expect(() => requireBinary(absent)).toThrow(/not installed.*TINYIOT_REQUIRE_DEBIAN=1/);
  });
});
