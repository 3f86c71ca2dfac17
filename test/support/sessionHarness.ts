// The session on its own: a fake host records what it writes (decoded with the codec) and what it
// reports; time is a number the test sets. Shared by test/firmware/mqtt/session-*.test.ts.
import { createDecoder } from '../../firmware/mqtt/codec/decode.js';
import type { Packet, PublishPacket } from '../../firmware/mqtt/codec/packet.js';
import { type Limits, withLimits } from '../../firmware/mqtt/limits.js';
import { createOutbox } from '../../firmware/mqtt/outbox.js';
import { createSession, type SessionOptions } from '../../firmware/mqtt/session.js';
import { memoryStorage } from '../../hal/emulated/storage.js';
import type { Storage } from '../../hal/types.js';

export function harness(opts: Partial<SessionOptions> = {}, lim: Partial<Limits> = {}, storage?: Storage, key?: string) {
  const l = withLimits(lim);
  const t = { now: 0 };
  const out: Packet[] = [];
  const msgs: PublishPacket[] = [];
  const ends: [string, boolean][] = [];
  const connects: boolean[] = [];
  const dec = createDecoder(1 << 20, (p) => out.push(p), (e) => {
    throw new Error('session wrote bad bytes: ' + e);
  });
  const ob = createOutbox(l, storage ?? memoryStorage(), key);
  const o: SessionOptions = { clientId: 'dev1', clean: false, ...opts };
  const s = createSession(
    o, l, ob, { now: () => t.now },
    (b) => dec.push(b.slice()),
    (e, retry) => {
      ends.push([e, retry]);
      s.closed();
    },
    (sp) => connects.push(sp),
    (p) => msgs.push(p),
    (f, a) => f && f(a),
  );
  /** Packets written since the last call. */
  const take = () => out.splice(0, out.length);
  const up = (sp = false) => {
    s.start();
    s.open();
    s.data({ type: 2, sessionPresent: sp, rc: 0 });
  };
  return { s, o, l, t, ob, take, up, msgs, ends, connects };
}

export const txt = (p: Packet) => new TextDecoder().decode((p as PublishPacket).payload);
