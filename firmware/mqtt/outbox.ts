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
import type { Packet, PublishPacket } from './codec/packet.js';
import { clientDecoder } from './codec/client-decode.js';
import { clientEncode as encode } from './codec/client-encode.js';

/** A PUBLISH (dup unset = false), or (type 6) the PUBREL of a QoS 2 message awaiting PUBCOMP;
 *  c = the app's callback, n = encoded size. */
export type Msg = (Omit<PublishPacket, 'dup'> & { dup?: boolean } | { type: 6; id: number }) & {
  c?: (err?: string) => void;
  n?: number;
};

export interface Outbox {
  q: Msg[];
  /** Incoming QoS 2 ids between PUBLISH and PUBREL. */
  r: number[];
  /** Queues a PUBLISH (throws if it cannot be encoded); returns an error if it does not fit. */
  add(p: Msg): string | undefined;
  save(): void;
}

const size = (e: Msg) => e.n || (e.n = encode(e as PublishPacket).length);

export function createOutbox(l: Limits, st: Storage, key?: string): Outbox {
  const q: Msg[] = [], r: number[] = [];
  // last: what storage holds; s: the record being built. No closure is made per call: on a board
  // each one is garbage, and a publish saves.
  let last = (key && st.read(key)) || '', s = '', j = 0, k = 0, u: any = last.length;
  const put = (p: Packet) => {
    const b = encode(p);
    for (j = 0; j < b.length; ) s += String.fromCharCode(b[j++]!);
  };
  if (u) {
    u = new Uint8Array(u);
    while (j < u.length) u[j] = last.charCodeAt(j++);
    // A damaged record ends the restore there; what came before it is kept. Only PUBLISH (3),
    // PUBREC (5, an incoming id) and PUBREL (6) are ever stored.
    clientDecoder(1e9, (p: any) => (p.type == 5 ? r.push(p.id) : 0x48 >> p.type & 1 && q.push(p)), () => {}).push(u);
  }
  return {
    q,
    r,
    add(p) {
      let n = size(p);
      for (k = 0; k < q.length; ) n += size(q[k++]!);
      if (n > l.queueBytes) return 'offline queue full: ' + (n - p.n!) + ' bytes used of ' + l.queueBytes;
      q.push(p);
    },
    save() {
      if (!key) return;
      s = '';
      for (k = 0; k < q.length; ) put(q[k++] as Packet);
      for (k = 0; k < r.length; ) put({ type: 5, id: r[k++]! });
      // Flash wears out: write only when something changed.
      if (s != last) {
        if (s) st.write(key, s);
        else st.erase(key);
        last = s;
      }
    },
  };
}
