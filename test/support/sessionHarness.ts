// The session on its own: a fake host records what it writes (decoded with the codec) and what it
// reports; time is a number the test sets. Shared by test/firmware/mqtt/session-*.test.ts.
import { createDecoder } from '../../firmware/mqtt/codec/decode.js';
import type { Packet, PublishPacket } from '../../firmware/mqtt/codec/packet.js';
import { type Limits, withLimits } from '../../firmware/mqtt/limits.js';
import type { Entry } from '../../firmware/mqtt/outbox.js';
import { Session, type SessionHost, type SessionOptions } from '../../firmware/mqtt/session.js';
import { memoryStorage } from '../../hal/emulated/storage.js';
import type { Storage } from '../../hal/types.js';

export function harness(opts: Partial<SessionOptions> = {}, lim: Partial<Limits> = {}, storage?: Storage, key?: string) {
  const l = withLimits(lim);
  const t = { now: 0 };
  const out: Packet[] = [];
  const msgs: PublishPacket[] = [];
  /** Each end_: the error, whether a retry is allowed, and the refusing CONNACK code when there is one. */
  const ends: ([string, boolean] | [string, boolean, number])[] = [];
  const connects: boolean[] = [];
  const dec = createDecoder(1 << 20, (p) => out.push(p), (e) => {
    throw new Error('session wrote bad bytes: ' + e);
  });
  const o: SessionOptions = { clientId: 'dev1', clean: false, ...opts };
  const host: SessionHost = {
    connected: false,
    handlers_: {
      connect: (sp: boolean) => connects.push(sp),
      message: (_t: string, _b: Uint8Array, p: PublishPacket) => msgs.push(p),
    },
    write_: (b) => dec.push(b.slice()),
    end_: (e, retry, refused) => {
      ends.push(refused === undefined ? [e, retry] : [e, retry, refused]);
      s.closed_();
    },
    call_: (f, a, b, c) => f && f(a, b, c),
  };
  const s = new Session(o, l, { now: () => t.now }, host, storage ?? memoryStorage(), key);
  /** The session's outbox lists. */
  const ob = s;
  /** Packets written since the last call. */
  const take = () => out.splice(0, out.length);
  const up = (sp = false) => {
    s.start_();
    s.open_();
    s.data_({ type: 2, sessionPresent: sp, rc: 0 });
  };
  return { s, o, l, t, ob, take, up, msgs, ends, connects };
}

export const txt = (p: Packet) => new TextDecoder().decode((p as PublishPacket).payload);

/** The packet an outbox or request entry holds. */
export function packetOf(e: Entry): Packet {
  const got: Packet[] = [];
  createDecoder(1 << 20, (p) => got.push(p), (err) => {
    throw new Error('bad entry bytes: ' + err);
  }).push(e.bytes_);
  if (got.length != 1) throw new Error('an entry holds ' + got.length + ' packets');
  return got[0]!;
}
