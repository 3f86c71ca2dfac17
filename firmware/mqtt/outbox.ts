/*
 * Outbox: every outgoing PUBLISH from publish() until it is done, plus the ids of incoming QoS 2
 * messages that are delivered but not yet released.
 *
 * Policy (also in docs/offline-queue.md):
 * - One list in publish order holds queued and in-flight messages alike, as PUBLISH packets
 *   (dup = written before). Written ones form the head of the list; the session sends from the
 *   head while the in-flight window (limits.inflight) has room, so order holds across QoS levels.
 *   A QoS 2 message whose PUBREC came is replaced by its PUBREL until PUBCOMP.
 * - Bound: the encoded size of the packets held (queued + awaiting acknowledgement) never exceeds
 *   limits.queueBytes.
 * - Full: publish() fails with "offline queue full: N bytes used of M" to the caller's callback
 *   (or the 'error' event). Nothing already queued is ever dropped.
 * - QoS 0 messages wait in the queue too while offline; they leave it once written.
 * - Persistence (a storage key given): after every change the whole state is written under the key
 *   as MQTT packets back to back: the list as it stands, then a PUBREC for each incoming QoS 2 id.
 *   A client created later with the same storage and key reads them back and sends them after its
 *   CONNACK. Callbacks do not survive a reboot.
 */
import type { Storage } from '../../hal/types.js';
import type { Limits } from './limits.js';
import type { PublishPacket } from './codec/packet.js';
import { createDecoder } from './codec/decode.js';
import { encode } from './codec/encode.js';

/** A PUBLISH, or (type 6) the PUBREL of a QoS 2 message awaiting PUBCOMP; c = the app's callback, n = encoded size. */
export type Msg = (PublishPacket | { type: 6; id: number }) & { c?: (err?: string) => void; n?: number };

export interface Outbox {
  q: Msg[];
  /** Incoming QoS 2 ids between PUBLISH and PUBREL. */
  r: number[];
  /** Queues a PUBLISH (throws if it cannot be encoded); returns an error if it does not fit. */
  add(p: Msg): string | undefined;
  save(): void;
}

export function createOutbox(l: Limits, st: Storage, key?: string): Outbox {
  const q: Msg[] = [], r: number[] = [];
  let last = (key && st.read(key)) || '';
  if (last) {
    const n = last.length, u = new Uint8Array(n);
    for (let j = 0; j < n; j++) u[j] = last.charCodeAt(j);
    // A damaged record ends the restore there; what came before it is kept.
    createDecoder(n, (p: any) => (p.type == 5 ? r.push(p.id) : q.push(p)), () => {}).push(u);
  }
  return {
    q,
    r,
    add(p) {
      let u = 0;
      const n = (p.n = encode(p).length);
      for (const e of q) u += e.n || (e.n = encode(e).length);
      if (u + n > l.queueBytes) return 'offline queue full: ' + u + ' bytes used of ' + l.queueBytes;
      q.push(p);
    },
    save() {
      if (!key) return;
      let s = '';
      const put = (b: Uint8Array) => {
        for (let j = 0; j < b.length; j++) s += String.fromCharCode(b[j]!);
      };
      for (const e of q) put(encode(e));
      for (const id of r) put(encode({ type: 5, id }));
      // Flash wears out: write only when something changed.
      if (s != last) {
        if (s) st.write(key, s);
        else st.erase(key);
        last = s;
      }
    },
  };
}
