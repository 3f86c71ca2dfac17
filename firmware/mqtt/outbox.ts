/*
 * Outbox: every outgoing PUBLISH from publish() until it is done, plus the ids of incoming QoS 2
 * messages that are delivered but not yet released. The session holds both lists (Outbox is the
 * part of it these functions see); here they are bounded, stored and read back.
 *
 * Policy (also in docs/offline-queue.md):
 * - One list in publish order holds queued and in-flight messages alike. Written ones form the
 *   head of the list; the session sends from the head while the in-flight window (limits.inflight)
 *   has room, so order holds across QoS levels. A QoS 2 message whose PUBREC came is replaced by
 *   its PUBREL until PUBCOMP.
 * - Each message is held as the bytes of its packet, encoded once by the session: they are what
 *   is sent, what is counted against the bound and what is stored.
 * - Bound: the size of the packets held (queued + awaiting acknowledgement) never exceeds
 *   limits.queueBytes (checked by the session as it queues a message).
 * - Full: publish() fails with "offline queue full: N bytes used of M" to the caller's callback
 *   (or the 'error' event). Nothing already queued is ever dropped.
 * - QoS 0 messages wait in the queue too while offline; they leave it once written.
 * - Persistence (a storage key given): after a change, the whole state is written under the key as
 *   MQTT packets back to back: the list as it stands, then a PUBREC for each incoming QoS 2 id. A
 *   client created later with the same storage and key reads them back and sends them after its
 *   CONNACK. Callbacks do not survive a reboot.
 */
import type { Storage } from '../../hal/types.js';
import type { Limits } from './limits.js';
import { type Packet, PUBLISH, PUBREC, PUBREL } from './codec/packet.js';
import { clientDecoder } from './codec/client-decode.js';
import { clientEncode } from './codec/client-encode.js';
import { byteStringOf, bytesOf } from './codec/utf8.js';

export type Callback = (...args: any[]) => void;

/**
 * A packet the session holds: in the outbox a PUBLISH or the PUBREL of a QoS 2 message awaiting
 * PUBCOMP; among the session's awaited replies a CONNECT, SUBSCRIBE, UNSUBSCRIBE or PINGREQ. Its
 * type and QoS are read from bytes_[0]. Property names end in `_`: the build shortens them.
 */
export interface Entry {
  /** The packet, encoded once. A PUBLISH keeps DUP clear until it is sent again. */
  bytes_: Uint8Array;
  /** Packet id, 0 for none. */
  id_: number;
  /** The app's callback. */
  cb_?: Callback;
  /** Written on this or an earlier connection: a later send is a re-delivery. */
  sent_?: boolean;
  /** An awaited reply's deadline; NaN while not sent on this connection (every comparison fails). */
  deadline_?: number;
}

export interface Outbox {
  /** Outgoing PUBLISHes and PUBRELs, in publish order. */
  readonly queue_: Entry[];
  /** Incoming QoS 2 ids between PUBLISH and PUBREL. */
  readonly incoming_: number[];
  /** Something changed since the last save; whoever changes the lists sets it. */
  dirty_: boolean;
  readonly limits_: Limits;
  readonly storage_: Storage;
  /** Where the state is stored; none: memory only. */
  readonly key_?: string;
}

/** The 4 bytes of a PUBACK, PUBREC, PUBREL or PUBCOMP (PUBREL's fixed flags are 0010). */
export function ack(type: number, id: number): Uint8Array {
  return new Uint8Array([type << 4 | (type == PUBREL ? 2 : 0), 2, id >> 8, id & 255]);
}

/** Reads the stored state into the (empty) lists. A damaged record ends it; what came before is kept. */
export function restore(outbox: Outbox): void {
  const stored = outbox.key_ && outbox.storage_.read(outbox.key_);
  if (!stored) return;
  clientDecoder(1e9, (packet: Packet) => {
    // Only PUBLISH, PUBREL (the outbox list) and PUBREC (an incoming id) are ever stored.
    if (packet.type == PUBREC) outbox.incoming_.push(packet.id);
    else if (packet.type == PUBLISH || packet.type == PUBREL) {
      // Stored with DUP (or a PUBREL): written before the reboot.
      const sent = packet.type == PUBREL || (packet as { dup: boolean }).dup;
      (packet as { dup?: boolean }).dup = false;
      outbox.queue_.push({ bytes_: clientEncode(packet), id_: packet.id || 0, sent_: sent });
    }
  }, () => {}).push(bytesOf(stored));
}

/** Writes the state under the key if it changed; erases the key when nothing is held. */
export function save(outbox: Outbox): void {
  const key = outbox.key_, storage = outbox.storage_;
  if (!outbox.dirty_ || !key) return;
  outbox.dirty_ = false;
  let size = outbox.incoming_.length * 4, at = 0;
  outbox.queue_.forEach((entry) => size += entry.bytes_.length);
  const record = new Uint8Array(size);
  outbox.queue_.forEach((entry) => {
    record.set(entry.bytes_, at);
    // Written before: sent again after a reboot, so with DUP (a PUBREL's flags never change).
    if (entry.sent_ && record[at]! >> 4 == PUBLISH) record[at] = record[at]! | 8;
    at += entry.bytes_.length;
  });
  outbox.incoming_.forEach((id) => record.set(ack(PUBREC, id), (at += 4) - 4));
  const text = byteStringOf(record);
  // Flash wears out: a change undone before the save (a QoS 0 message queued and written at
  // once) writes nothing.
  if (text != (storage.read(key) || '')) {
    if (text) storage.write(key, text);
    else storage.erase(key);
  }
}
