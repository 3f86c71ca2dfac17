// What a scripted session reports, one event per line; the JSON shape is the CLI's output contract.
// Both engines' players report through present(), so the same happening prints the same line.
import type { QoS } from './fields.js';
import type { PlayerEvent } from './player.js';

export type Event =
  | { ev: 'connack'; rc: number; sessionPresent: boolean }
  | { ev: 'suback'; codes: number[] }
  | { ev: 'unsuback' }
  | { ev: 'published'; topic: string; qos: QoS }
  | ({ ev: 'message'; topic: string } & ({ payload: string } | { payloadHex: string }) & {
        qos: QoS;
        retain: boolean;
        dup: boolean;
      })
  /** reason: the platform's own words for a close it saw (they differ between engines). */
  | { ev: 'closed'; how: 'drop' | 'disconnect' | 'remote'; reason?: string }
  /** reason: the platform's own words, e.g. why a connection could not be made. */
  | { ev: 'error'; msg: string; reason?: string };

export type Emit = (e: Event) => void;

const strict = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text when the bytes are valid UTF-8, hex otherwise, so binary payloads survive the JSON line. */
export function payloadField(bytes: Uint8Array): { payload: string } | { payloadHex: string } {
  try {
    return { payload: strict.decode(bytes) };
  } catch {
    return { payloadHex: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex') };
  }
}

/** The printed event for what a player reported: a received payload becomes text or hex. */
export function present(e: PlayerEvent): Event {
  if (e.ev !== 'message') return e;
  const bytes = Buffer.from(e.payloadHex, 'hex');
  return { ev: 'message', topic: e.topic, ...payloadField(bytes), qos: e.qos, retain: e.retain, dup: e.dup };
}

/** The machine-readable form: one JSON object per line. */
export function jsonLine(e: Event): string {
  return JSON.stringify(e) + '\n';
}

function show(e: { payload: string } | { payloadHex: string }): string {
  return 'payload' in e ? JSON.stringify(e.payload) : `0x${e.payloadHex}`;
}

/** The human-readable form the demo prints. */
export function textLine(e: Event): string {
  switch (e.ev) {
    case 'connack':
      return e.rc === 0
        ? `connected (session present: ${e.sessionPresent ? 'yes' : 'no'})`
        : `connection refused by the broker (return code ${e.rc})`;
    case 'suback':
      return `subscribed, granted ${e.codes.map((c) => (c === 0x80 ? 'failure' : `QoS ${c}`)).join(', ')}`;
    case 'unsuback':
      return 'unsubscribed';
    case 'published':
      return `published to ${e.topic} at QoS ${e.qos}${e.qos ? ', acknowledged' : ''}`;
    case 'message':
      return `received on ${e.topic} (QoS ${e.qos}${e.retain ? ', retained' : ''}${e.dup ? ', dup' : ''}): ${show(e)}`;
    case 'closed':
      return e.how === 'remote' ? `connection closed by the other side${e.reason ? `: ${e.reason}` : ''}` : `closed (${e.how})`;
    case 'error':
      return `error: ${e.msg}${e.reason ? ` (${e.reason})` : ''}`;
  }
}
