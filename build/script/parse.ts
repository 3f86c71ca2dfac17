// Script file -> typed steps. Pure: a malformed script is rejected whole, before any byte is sent.
import { Fields, ScriptError, isObject, topicError, type QoS } from './fields.js';
import { jsonErrorAt } from '../json.js';

export { ScriptError, type QoS };

export interface WillStep {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface ConnectStep {
  op: 'connect';
  clientId: string;
  clean: boolean;
  /** Seconds; 0 turns keepalive off. */
  keepalive: number;
  username?: string;
  password?: string;
  will?: WillStep;
}

export interface SubscribeStep {
  op: 'subscribe';
  filters: { topic: string; qos: QoS }[];
}

export interface PublishStep {
  op: 'publish';
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  await: boolean;
}

export interface UnsubscribeStep {
  op: 'unsubscribe';
  filters: string[];
}

export interface WaitStep {
  op: 'wait';
  ms: number;
}

export type Step =
  | ConnectStep
  | SubscribeStep
  | PublishStep
  | UnsubscribeStep
  | WaitStep
  | { op: 'drop' }
  | { op: 'disconnect' };

export interface Script {
  host: string;
  port: number;
  tls: boolean;
  /** Paths to PEM files as written in the script (relative to the script file). */
  ca?: string;
  cert?: string;
  key?: string;
  /** How long to wait for each acknowledgement, ms. */
  timeout: number;
  steps: Step[];
}

export const OPS = ['connect', 'subscribe', 'publish', 'unsubscribe', 'wait', 'drop', 'disconnect'] as const;

export const DEFAULT_KEEPALIVE = 60;
export const DEFAULT_TIMEOUT = 10000;

const utf8 = new TextEncoder();

/** "payload" (UTF-8 text) or "payloadHex" (raw bytes), exactly one of them. */
function payload(f: Fields): Uint8Array {
  if (f.has('payload') && f.has('payloadHex')) f.fail(`give ${f.name('payload')} or ${f.name('payloadHex')}, not both`);
  if (!f.has('payloadHex')) return utf8.encode(f.str('payload'));
  const hex = f.str('payloadHex');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) f.fail(`${f.name('payloadHex')} must be an even number of hex digits`);
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function will(f: Fields): WillStep | undefined {
  const w = f.nested('will');
  if (!w) return undefined;
  const step = { topic: w.topic('topic', false), payload: payload(w), qos: w.qos('qos'), retain: w.bool('retain', false) };
  w.done();
  return step;
}

type Op = (typeof OPS)[number];

function step(f: Fields, op: Op): Step {
  switch (op) {
    case 'connect':
      return {
        op,
        clientId: f.str('clientId'),
        clean: f.bool('clean'),
        keepalive: f.int('keepalive', 0, 65535, DEFAULT_KEEPALIVE),
        username: f.str('username', true),
        password: f.str('password', true),
        will: will(f),
      };
    case 'subscribe':
      return {
        op,
        filters: f.list('filters', '{"topic", "qos"}').map((x, i) => {
          const where = `filters[${i}]`;
          if (!isObject(x)) f.fail(`'${where}' must be an object like {"topic": "a/#", "qos": 1}`);
          const g = new Fields(x, f.where, `${where}.`);
          const filter = { topic: g.topic('topic', true), qos: g.qos('qos') };
          g.done();
          return filter;
        }),
      };
    case 'publish':
      return {
        op,
        topic: f.topic('topic', false),
        payload: payload(f),
        qos: f.qos('qos'),
        retain: f.bool('retain', false),
        await: f.bool('await', false),
      };
    case 'unsubscribe':
      return {
        op,
        filters: f.list('filters', 'topic filters').map((x, i) => {
          if (typeof x !== 'string') f.fail(`'filters[${i}]' must be a string`);
          const bad = topicError(x, true);
          if (bad) f.fail(`'filters[${i}]' ${bad}`);
          return x;
        }),
      };
    case 'wait':
      return { op, ms: f.int('ms', 0, 3600000) };
    case 'drop':
    case 'disconnect':
      return { op };
  }
}

/** Checks a parsed JSON value; throws ScriptError naming the step and field at the first mistake. */
export function validate(v: unknown): Script {
  if (!isObject(v)) throw new ScriptError('script: must be a JSON object like {"host": ..., "port": ..., "steps": [...]}');
  const f = new Fields(v, 'script');
  const host = f.str('host');
  if (host === '') f.fail("'host' must not be empty");
  const script: Script = {
    host,
    port: f.int('port', 1, 65535),
    tls: f.bool('tls', true),
    ca: f.str('ca', true),
    cert: f.str('cert', true),
    key: f.str('key', true),
    timeout: f.int('timeout', 1, 3600000, DEFAULT_TIMEOUT),
    steps: [],
  };
  if (!script.tls && (script.ca || script.cert || script.key)) f.fail("'ca', 'cert' and 'key' need \"tls\": true");
  if (!script.cert !== !script.key) f.fail("'cert' and 'key' go together: give both or neither");
  const steps = f.list('steps', 'steps');
  f.done();
  steps.forEach((s, i) => {
    // Counted from 1, as a reader counts the steps in the file.
    const n = `step ${i + 1}`;
    if (!isObject(s)) throw new ScriptError(`${n}: must be an object like {"op": "publish", ...}`);
    const op = s.op;
    if (op === undefined) throw new ScriptError(`${n}: missing 'op' (one of ${OPS.join(', ')})`);
    if (typeof op !== 'string') throw new ScriptError(`${n}: 'op' must be a string (one of ${OPS.join(', ')})`);
    if (!(OPS as readonly string[]).includes(op)) {
      throw new ScriptError(`${n}: unknown op '${op}' (expected one of ${OPS.join(', ')})`);
    }
    const g = new Fields(s, `${n} (${op})`);
    g.raw('op', true);
    const parsed = step(g, op as Op);
    g.done();
    script.steps.push(parsed);
  });
  return script;
}

/** Parses script text; bad JSON is a ScriptError too. */
export function parseScript(text: string): Script {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    // Never JSON.parse's own text: it quotes the source, which may hold a password.
    throw new ScriptError(`script is not valid JSON (${jsonErrorAt(text)})`);
  }
  return validate(v);
}
