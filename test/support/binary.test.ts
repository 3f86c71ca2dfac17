import { afterEach, describe, expect, it, vi } from 'vitest';
import { engineMissing, findBinary, requireBinary } from './binary.js';

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

describe('TINYIOT_HIDE_BINARIES', () => {
  it('hides the listed commands from findBinary, so their tests skip or fail as if not installed', () => {
    vi.stubEnv('TINYIOT_HIDE_BINARIES', 'tinyiot-other, sh');
    vi.stubEnv('TINYIOT_REQUIRE_DEBIAN', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(findBinary('sh')).toBeUndefined();
    expect(requireBinary('sh').missing).toBe(true);
    expect(findBinary('ls')).toMatch(/\/ls$/);
    requireBinary('sh');
    expect(warn).toHaveBeenCalledTimes(1);
    vi.stubEnv('TINYIOT_REQUIRE_DEBIAN', '1');
    expect(() => requireBinary('sh')).toThrow(/sh not installed/);
  });

  it('engineMissing: quickjs is never missing; duktape and mujs follow duk and mujs', () => {
    vi.stubEnv('TINYIOT_HIDE_BINARIES', 'duk,mujs,qjs,quickjs');
    vi.stubEnv('TINYIOT_REQUIRE_DEBIAN', '');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(engineMissing('quickjs')).toBe(false);
    expect(engineMissing('duktape')).toBe(true);
    expect(engineMissing('mujs')).toBe(true);
    vi.stubEnv('TINYIOT_REQUIRE_DEBIAN', '1');
    expect(() => engineMissing('mujs')).toThrow(/mujs not installed \(apt-get install -y mujs\)/);
  });
});
