import { describe, expect, it } from 'vitest';
import { validate } from '../../../build/script/parse.js';
import { asciiJson, toPlan } from '../../../build/script/plan.js';
import { fromHex, toHex } from '../../../build/script/hex.js';

describe('toPlan', () => {
  it('carries the script with PEM text and every payload as hex', () => {
    const script = validate({
      host: 'h',
      port: 8883,
      ca: 'ca.pem',
      timeout: 700,
      steps: [
        { op: 'connect', clientId: 'c', clean: false, will: { topic: 'w', payloadHex: '00ff', qos: 1 } },
        { op: 'publish', topic: 't', payload: 'é', qos: 2, await: true },
        { op: 'wait', ms: 5 },
      ],
    });
    expect(toPlan(script, { ca: 'PEM' })).toEqual({
      host: 'h',
      port: 8883,
      tls: true,
      ca: 'PEM',
      timeout: 700,
      steps: [
        { op: 'connect', clientId: 'c', clean: false, keepalive: 60, username: undefined, password: undefined, will: { topic: 'w', payloadHex: '00ff', qos: 1, retain: false } },
        { op: 'publish', topic: 't', payloadHex: 'c3a9', qos: 2, retain: false, await: true },
        { op: 'wait', ms: 5 },
      ],
    });
  });
});

describe('asciiJson', () => {
  it('escapes everything past ASCII, and parses back to the same value', () => {
    const v = { topic: 'é/✓/😀', del: '\u007f' };
    const text = asciiJson(v);
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(text).toContain('\\u00e9');
    expect(JSON.parse(text)).toEqual(v);
  });
});

describe('hex', () => {
  it('goes from bytes to hex and back', () => {
    const b = new Uint8Array([0, 1, 0x7f, 0x80, 0xff]);
    expect(toHex(b)).toBe('00017f80ff');
    expect(fromHex('00017f80ff')).toEqual(b);
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });
});
