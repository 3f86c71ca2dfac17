import { describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE, DEFAULT_TIMEOUT, ScriptError, parseScript, validate } from '../../../build/script/parse.js';

const base = { host: '127.0.0.1', port: 1883, tls: false };
const connect = { op: 'connect', clientId: 'c1', clean: true };

/** The message validate() throws for a script with these steps (and top-level overrides). */
function error(steps: unknown, top: Record<string, unknown> = {}): string {
  try {
    validate({ ...base, steps, ...top });
  } catch (e) {
    expect(e).toBeInstanceOf(ScriptError);
    return (e as Error).message;
  }
  throw new Error('expected a ScriptError');
}

describe('parseScript: a good script', () => {
  it('reads every op with its fields and fills defaults', () => {
    const s = parseScript(
      JSON.stringify({
        host: 'broker.local',
        port: 8883,
        ca: 'ca.pem',
        steps: [
          { ...connect, keepalive: 30, username: 'u', password: 'p', will: { topic: 'w', payload: 'bye', qos: 1 } },
          { op: 'subscribe', filters: [{ topic: 'a/#', qos: 2 }] },
          { op: 'publish', topic: 'a/b', payload: 'hé', qos: 1, retain: true, await: true },
          { op: 'publish', topic: 'a/b', payloadHex: '00ff', qos: 0 },
          { op: 'unsubscribe', filters: ['a/#'] },
          { op: 'wait', ms: 0 },
          { op: 'drop' },
          { op: 'connect', clientId: '', clean: false },
          { op: 'disconnect' },
        ],
      }),
    );
    expect(s.tls).toBe(true);
    expect(s.timeout).toBe(DEFAULT_TIMEOUT);
    expect(s.ca).toBe('ca.pem');
    expect(s.steps.map((x) => x.op)).toEqual(['connect', 'subscribe', 'publish', 'publish', 'unsubscribe', 'wait', 'drop', 'connect', 'disconnect']);
    expect(s.steps[0]).toEqual({
      op: 'connect',
      clientId: 'c1',
      clean: true,
      keepalive: 30,
      username: 'u',
      password: 'p',
      will: { topic: 'w', payload: new TextEncoder().encode('bye'), qos: 1, retain: false },
    });
    expect(s.steps[2]).toEqual({ op: 'publish', topic: 'a/b', payload: new Uint8Array([0x68, 0xc3, 0xa9]), qos: 1, retain: true, await: true });
    expect(s.steps[3]).toEqual({ op: 'publish', topic: 'a/b', payload: new Uint8Array([0, 255]), qos: 0, retain: false, await: false });
    // An empty client id with clean=false is the client's to refuse, not the validator's.
    expect(s.steps[7]).toMatchObject({ clientId: '', clean: false, keepalive: DEFAULT_KEEPALIVE });
  });

  it('keeps plain TCP only when tls is false explicitly', () => {
    expect(validate({ ...base, steps: [connect] }).tls).toBe(false);
    expect(validate({ host: 'h', port: 1, steps: [connect] }).tls).toBe(true);
  });
});

describe('parseScript: mistakes are named with step and field', () => {
  it('bad JSON', () => {
    expect(() => parseScript('{"host": ')).toThrow(/^script is not valid JSON \(unexpected end of the text\)$/);
  });

  it('bad JSON is placed by line and column, never quoted: a password stays out of the message', () => {
    const text = '{"host": "h", "port": 1,\n "steps": [{"op": "connect", "clientId": "c", "clean": true,\n   "password":TOPSECRET-hunter2}]}';
    let msg = '';
    try {
      parseScript(text);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe('script is not valid JSON (line 3, column 15)');
    for (const bit of ['TOPSECRET', 'hunter2', 'password']) expect(msg).not.toContain(bit);
    expect(() => parseScript('{"password": "x"} TOPSECRET')).toThrow(/^script is not valid JSON \(line 1, column 19\)$/);
  });

  it('top level', () => {
    expect(() => validate([])).toThrow(/^script: must be a JSON object/);
    expect(error([connect], { host: undefined })).toBe("script: missing 'host'");
    expect(error([connect], { host: '' })).toBe("script: 'host' must not be empty");
    expect(error([connect], { port: '1883' })).toBe("script: 'port' must be an integer from 1 to 65535");
    expect(error([connect], { port: 70000 })).toBe("script: 'port' must be an integer from 1 to 65535");
    expect(error([connect], { tls: 'yes' })).toBe("script: 'tls' must be true or false");
    expect(error([connect], { ca: 5, tls: true })).toBe("script: 'ca' must be a string");
    expect(error([connect], { ca: 'ca.pem' })).toBe('script: \'ca\', \'cert\' and \'key\' need "tls": true');
    expect(error([connect], { cert: 'c.pem', tls: true })).toBe("script: 'cert' and 'key' go together: give both or neither");
    expect(error([connect], { timeout: 0 })).toMatch(/^script: 'timeout' must be an integer from 1 /);
    expect(error([connect], { hots: 'x' })).toBe("script: unknown field 'hots'");
    expect(error(undefined)).toBe("script: missing 'steps'");
    expect(error([])).toBe("script: 'steps' must be a non-empty array of steps");
    expect(error({ op: 'drop' })).toBe("script: 'steps' must be a non-empty array of steps");
  });

  it('step shape and op', () => {
    expect(error([connect, 'drop'])).toBe('step 2: must be an object like {"op": "publish", ...}');
    expect(error([{ clientId: 'x' }])).toMatch(/^step 1: missing 'op' \(one of connect, subscribe, publish/);
    expect(error([{ op: 3 }])).toMatch(/^step 1: 'op' must be a string/);
    expect(error([connect, { op: 'pubish' }])).toMatch(/^step 2: unknown op 'pubish' \(expected one of connect, .*disconnect\)$/);
    expect(error([{ op: 'drop', now: true }])).toBe("step 1 (drop): unknown field 'now'");
  });

  it('connect', () => {
    expect(error([{ op: 'connect', clean: true }])).toBe("step 1 (connect): missing 'clientId'");
    expect(error([{ op: 'connect', clientId: 7, clean: true }])).toBe("step 1 (connect): 'clientId' must be a string");
    expect(error([{ op: 'connect', clientId: 'a' }])).toBe("step 1 (connect): missing 'clean'");
    expect(error([{ ...connect, clean: 'no' }])).toBe("step 1 (connect): 'clean' must be true or false");
    expect(error([{ ...connect, keepalive: -1 }])).toBe("step 1 (connect): 'keepalive' must be an integer from 0 to 65535");
    expect(error([{ ...connect, keepalive: 1.5 }])).toBe("step 1 (connect): 'keepalive' must be an integer from 0 to 65535");
    expect(error([{ ...connect, password: 1234 }])).toBe("step 1 (connect): 'password' must be a string");
    expect(error([{ ...connect, will: 'x' }])).toBe("step 1 (connect): 'will' must be an object");
    expect(error([{ ...connect, will: { payload: 'p', qos: 0 } }])).toBe("step 1 (connect): missing 'will.topic'");
    expect(error([{ ...connect, will: { topic: 't', payload: 'p', qos: 3 } }])).toBe("step 1 (connect): 'will.qos' must be 0, 1 or 2");
    expect(error([{ ...connect, will: { topic: 't', payload: 'p', qos: 0, retian: true } }])).toBe("step 1 (connect): unknown field 'will.retian'");
  });

  it('subscribe and unsubscribe', () => {
    expect(error([connect, { op: 'subscribe' }])).toBe("step 2 (subscribe): missing 'filters'");
    expect(error([connect, { op: 'subscribe', filters: [] }])).toBe('step 2 (subscribe): \'filters\' must be a non-empty array of {"topic", "qos"}');
    expect(error([connect, { op: 'subscribe', filters: ['a'] }])).toMatch(/^step 2 \(subscribe\): 'filters\[0\]' must be an object like/);
    expect(error([connect, { op: 'subscribe', filters: [{ topic: 'a', qos: 0 }, { topic: 'b' }] }])).toBe(
      "step 2 (subscribe): missing 'filters[1].qos'",
    );
    expect(error([connect, { op: 'subscribe', filters: [{ topic: 'a', qos: '1' }] }])).toBe("step 2 (subscribe): 'filters[0].qos' must be 0, 1 or 2");
    expect(error([connect, { op: 'unsubscribe', filters: 'a' }])).toBe("step 2 (unsubscribe): 'filters' must be a non-empty array of topic filters");
    expect(error([connect, { op: 'unsubscribe', filters: ['a', { topic: 'b' }] }])).toBe("step 2 (unsubscribe): 'filters[1]' must be a string");
  });

  it('topic filters that break the MQTT rules, before anything is sent', () => {
    const sub = (topic: string) => error([connect, { op: 'subscribe', filters: [{ topic: 'ok/+/x/#', qos: 0 }, { topic, qos: 1 }] }]);
    expect(sub('a/#/b')).toBe("step 2 (subscribe): 'filters[1].topic' may have '#' only as the whole last level [MQTT-4.7.1-2]");
    expect(sub('#x')).toBe("step 2 (subscribe): 'filters[1].topic' may have '#' only as the whole last level [MQTT-4.7.1-2]");
    expect(sub('a+')).toBe("step 2 (subscribe): 'filters[1].topic' may have '+' only as a whole level [MQTT-4.7.1-3]");
    expect(sub('')).toBe("step 2 (subscribe): 'filters[1].topic' must not be empty [MQTT-4.7.3-1]");
    expect(sub('a\u0000b')).toBe("step 2 (subscribe): 'filters[1].topic' must not contain the character U+0000 [MQTT-4.7.3-2]");
    expect(sub('é'.repeat(32768))).toBe("step 2 (subscribe): 'filters[1].topic' is longer than 65535 bytes [MQTT-4.7.3-3]");
    expect(validate({ ...base, steps: [connect, { op: 'subscribe', filters: [{ topic: '+/+/#', qos: 0 }, { topic: '#', qos: 0 }] }] }).steps).toHaveLength(2);
    expect(error([connect, { op: 'unsubscribe', filters: ['a/#', 'b/#/c'] }])).toBe(
      "step 2 (unsubscribe): 'filters[1]' may have '#' only as the whole last level [MQTT-4.7.1-2]",
    );
  });

  it('publish', () => {
    const pub = { op: 'publish', topic: 't', payload: 'x', qos: 0 };
    expect(error([connect, connect, { ...pub, qos: 3 }])).toBe("step 3 (publish): 'qos' must be 0, 1 or 2");
    expect(error([connect, { ...pub, topic: undefined }])).toBe("step 2 (publish): missing 'topic'");
    expect(error([connect, { ...pub, payload: undefined }])).toBe("step 2 (publish): missing 'payload'");
    expect(error([connect, { ...pub, payload: { a: 1 } }])).toBe("step 2 (publish): 'payload' must be a string");
    expect(error([connect, { ...pub, payloadHex: '00' }])).toBe("step 2 (publish): give 'payload' or 'payloadHex', not both");
    expect(error([connect, { ...pub, payload: undefined, payloadHex: '0g' }])).toBe("step 2 (publish): 'payloadHex' must be an even number of hex digits");
    expect(error([connect, { ...pub, payload: undefined, payloadHex: 'abc' }])).toBe("step 2 (publish): 'payloadHex' must be an even number of hex digits");
    expect(error([connect, { ...pub, retain: 1 }])).toBe("step 2 (publish): 'retain' must be true or false");
    expect(error([connect, { ...pub, await: 'yes' }])).toBe("step 2 (publish): 'await' must be true or false");
    expect(error([connect, { ...pub, qso: 1 }])).toBe("step 2 (publish): unknown field 'qso'");
  });

  it('publish and will topics: no wildcards, not empty, at most 65535 bytes', () => {
    const pub = { op: 'publish', payload: 'x', qos: 0 };
    const wild = "must not contain the wildcards '+' or '#' [MQTT-3.3.2-2]";
    expect(error([connect, { ...pub, topic: 'a/#' }])).toBe(`step 2 (publish): 'topic' ${wild}`);
    expect(error([connect, { ...pub, topic: 'a/+/b' }])).toBe(`step 2 (publish): 'topic' ${wild}`);
    expect(error([connect, { ...pub, topic: '' }])).toBe("step 2 (publish): 'topic' must not be empty [MQTT-4.7.3-1]");
    expect(error([connect, { ...pub, topic: 'x'.repeat(65536) }])).toBe("step 2 (publish): 'topic' is longer than 65535 bytes [MQTT-4.7.3-3]");
    expect(validate({ ...base, steps: [connect, { ...pub, topic: 'x'.repeat(65535) }] }).steps).toHaveLength(2);
    expect(error([{ ...connect, will: { topic: 'w/#', payload: 'p', qos: 0 } }])).toBe(`step 1 (connect): 'will.topic' ${wild}`);
  });

  it('wait', () => {
    expect(error([connect, { op: 'wait' }])).toBe("step 2 (wait): missing 'ms'");
    expect(error([connect, { op: 'wait', ms: -5 }])).toMatch(/^step 2 \(wait\): 'ms' must be an integer from 0 to /);
    expect(error([connect, { op: 'wait', ms: '100' }])).toMatch(/^step 2 \(wait\): 'ms' must be an integer/);
  });
});
