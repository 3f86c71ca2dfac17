import { describe, expect, it } from 'vitest';
import { usageText } from '../../build/usage-error.js';

describe('usageText', () => {
  it('gives the message, then the help', () => {
    expect(usageText('boards', "unknown option '--x'", 'usage: tinyiot boards')).toBe("tinyiot boards: unknown option '--x'\n\nusage: tinyiot boards\n");
  });

  it('points to --help when the help is not printed', () => {
    expect(usageText('hub', "unknown command 'x'")).toBe("tinyiot hub: unknown command 'x'\n(see 'tinyiot hub --help')\n");
  });
});
