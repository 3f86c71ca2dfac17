// A validated script in the form the step player takes on both engines: plain JSON, so it can be
// embedded in what Espruino boots, with the PEM text read from the files the script names and
// payloads as hex (a Uint8Array does not survive JSON).
import { toHex as hex } from './hex.js';
import type { QoS, Script, Step } from './parse.js';

export type { QoS };

export interface WillPlan {
  topic: string;
  payloadHex: string;
  qos: QoS;
  retain: boolean;
}

export type PlanStep =
  | { op: 'connect'; clientId: string; clean: boolean; keepalive: number; username?: string; password?: string; will?: WillPlan }
  | { op: 'subscribe'; filters: { topic: string; qos: QoS }[] }
  | { op: 'publish'; topic: string; payloadHex: string; qos: QoS; retain: boolean; await: boolean }
  | { op: 'unsubscribe'; filters: string[] }
  | { op: 'wait'; ms: number }
  | { op: 'drop' }
  | { op: 'disconnect' };

export interface Plan {
  host: string;
  port: number;
  tls: boolean;
  /** PEM text, not paths. */
  ca?: string;
  cert?: string;
  key?: string;
  /** ms to wait for each acknowledgement. */
  timeout: number;
  steps: PlanStep[];
  /** A step that failed (an error event) ends the script with exit code 1; else it goes on (--keep-going). */
  stopOnFailure?: boolean;
}

function planStep(s: Step): PlanStep {
  switch (s.op) {
    case 'connect': {
      const { will, ...rest } = s;
      return will ? { ...rest, will: { topic: will.topic, payloadHex: hex(will.payload), qos: will.qos, retain: will.retain } } : rest;
    }
    case 'publish':
      return { op: s.op, topic: s.topic, payloadHex: hex(s.payload), qos: s.qos, retain: s.retain, await: s.await };
    default:
      return s;
  }
}

export function toPlan(script: Script, pem: { ca?: string; cert?: string; key?: string } = {}): Plan {
  return {
    host: script.host,
    port: script.port,
    tls: script.tls,
    ...pem,
    timeout: script.timeout,
    steps: script.steps.map(planStep),
  };
}

/**
 * JSON with every character past ASCII written as \uXXXX. Espruino reads a file's text as bytes:
 * raw UTF-8 in a string would stay bytes there, while an escape gives the character itself.
 */
export function asciiJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
