import { describe, expect, it } from 'vitest';
import { jsonLine, payloadField, present, textLine } from '../../../build/script/events.js';

describe('events', () => {
  it('prints UTF-8 payloads as text and anything else as hex', () => {
    expect(payloadField(new TextEncoder().encode('héllo'))).toEqual({ payload: 'héllo' });
    expect(payloadField(new Uint8Array(0))).toEqual({ payload: '' });
    expect(payloadField(new Uint8Array([0xff, 0x00, 0x41]))).toEqual({ payloadHex: 'ff0041' });
    // A truncated multi-byte sequence is not valid UTF-8 either.
    expect(payloadField(new Uint8Array([0xc3]))).toEqual({ payloadHex: 'c3' });
    // A view into a larger buffer shows only its own bytes.
    expect(payloadField(new Uint8Array([1, 0xfe, 2]).subarray(1, 2))).toEqual({ payloadHex: 'fe' });
  });

  it('writes one JSON object per line with "ev" first', () => {
    expect(jsonLine({ ev: 'connack', rc: 0, sessionPresent: false })).toBe('{"ev":"connack","rc":0,"sessionPresent":false}\n');
    expect(jsonLine({ ev: 'message', topic: 'a/b', payload: 'text', qos: 1, retain: false, dup: false })).toBe(
      '{"ev":"message","topic":"a/b","payload":"text","qos":1,"retain":false,"dup":false}\n',
    );
  });

  it('has a readable line for each event', () => {
    expect(textLine({ ev: 'connack', rc: 5, sessionPresent: false })).toBe('connection refused by the broker (return code 5)');
    expect(textLine({ ev: 'suback', codes: [1, 128] })).toBe('subscribed, granted QoS 1, failure');
    expect(textLine({ ev: 'published', topic: 't', qos: 2 })).toBe('published to t at QoS 2, acknowledged');
    expect(textLine({ ev: 'message', topic: 't', payloadHex: '00', qos: 0, retain: true, dup: false })).toBe('received on t (QoS 0, retained): 0x00');
    expect(textLine({ ev: 'closed', how: 'remote', reason: 'ECONNRESET' })).toBe('connection closed by the other side: ECONNRESET');
    expect(textLine({ ev: 'error', msg: 'x' })).toBe('error: x');
    expect(textLine({ ev: 'error', msg: 'x', reason: 'ECONNREFUSED' })).toBe('error: x (ECONNREFUSED)');
  });

  it("presents a player's message with its payload as text when it is UTF-8, and passes other events as they are", () => {
    const m = { ev: 'message', topic: 't', qos: 2, retain: false, dup: true } as const;
    expect(jsonLine(present({ ...m, payloadHex: 'c3a9e29c93' }))).toBe('{"ev":"message","topic":"t","payload":"é✓","qos":2,"retain":false,"dup":true}\n');
    expect(present({ ...m, payloadHex: 'c3' })).toEqual({ ...m, payloadHex: 'c3' });
    expect(present({ ...m, payloadHex: '' })).toEqual({ ...m, payload: '' });
    const e = { ev: 'error', msg: 'm', reason: 'r' } as const;
    expect(present(e)).toBe(e);
  });
});
