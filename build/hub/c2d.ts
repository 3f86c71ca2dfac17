// Cloud-to-device queue: per device, in order, each message kept until the device PUBACKs it or
// its time to live runs out, and written to c2d.json on every change so it survives a hub
// restart. Like IoT Hub, a device's queue holds at most 50 messages.
import { randomUUID } from 'node:crypto';
import { encodePropertyBag, type PropertyBag } from '../../firmware/iothub/propbag.js';
import { readJson, writeJson } from './files.js';

export interface C2dMessage {
  mid: string;
  /** base64 */
  body: string;
  props: PropertyBag;
  /** epoch ms */
  expires: number;
  /** Times it has been sent; after the first, a redelivery carries DUP. */
  deliveries: number;
}

export interface C2dOptions {
  /** Default time to live, ms (IoT Hub's default is 1 hour). */
  ttlMs?: number;
  maxPerDevice?: number;
  now?: () => number;
  onExpired?: (deviceId: string, m: C2dMessage) => void;
}

/** System properties a sender may set; $.mid, $.to and $.exp are the hub's. */
const SENDER_SYSTEM = ['$.cid', '$.uid', '$.ct', '$.ce'];

export class C2dQueue {
  /** Messages dropped because they expired before being acknowledged. */
  expired = 0;
  private readonly q: Record<string, C2dMessage[]>;
  private readonly ttl: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(private readonly path: string, private readonly opts: C2dOptions = {}) {
    this.q = readJson<Record<string, C2dMessage[]>>(path, {});
    this.ttl = opts.ttlMs ?? 3_600_000;
    this.max = opts.maxPerDevice ?? 50;
    this.now = opts.now ?? Date.now;
  }

  /** Throws on bad properties, a bad ttl, or a full queue. */
  enqueue(deviceId: string, body: Buffer, props: Record<string, string> = {}, ttlMs = this.ttl): C2dMessage {
    for (const k of Object.keys(props)) {
      if (!k) throw new Error('empty property name');
      if (k.startsWith('$.') && !SENDER_SYSTEM.includes(k)) throw new Error(`property '${k}' is not one a sender may set (${SENDER_SYSTEM.join(', ')})`);
    }
    if (!(ttlMs > 0)) throw new Error('ttl must be positive');
    const list = this.pending(deviceId);
    if (list.length >= this.max) throw new Error(`the queue of '${deviceId}' is full (${this.max} messages)`);
    const m: C2dMessage = { mid: randomUUID(), body: body.toString('base64'), props: { ...props }, expires: this.now() + ttlMs, deliveries: 0 };
    this.q[deviceId] = [...list, m];
    this.save();
    return m;
  }

  /** The device's unexpired messages, oldest first; expired ones are dropped and counted here. */
  pending(deviceId: string): C2dMessage[] {
    const list = this.q[deviceId] ?? [];
    const now = this.now();
    const live = list.filter((m) => m.expires > now);
    if (live.length !== list.length) {
      for (const m of list) if (m.expires <= now) (this.expired++, this.opts.onExpired?.(deviceId, m));
      this.set(deviceId, live);
    }
    return live;
  }

  /** Drops expired messages of every device (pending() does it for one). */
  sweep(): void {
    for (const d of Object.keys(this.q)) this.pending(d);
  }

  delivered(deviceId: string, mid: string): void {
    const m = this.q[deviceId]?.find((x) => x.mid === mid);
    if (m) (m.deliveries++, this.save());
  }

  /** False when the message was not (or no longer) queued. */
  ack(deviceId: string, mid: string): boolean {
    const list = this.q[deviceId] ?? [];
    const rest = list.filter((m) => m.mid !== mid);
    if (rest.length === list.length) return false;
    this.set(deviceId, rest);
    return true;
  }

  purge(deviceId: string): void {
    if (this.q[deviceId]) this.set(deviceId, []);
  }

  private set(deviceId: string, list: C2dMessage[]): void {
    if (list.length) this.q[deviceId] = list;
    else delete this.q[deviceId];
    this.save();
  }

  private save(): void {
    writeJson(this.path, this.q);
  }
}

/** `devices/{id}/messages/devicebound/$.mid=..&$.to=..&$.exp=..&{props}` (property bag encoded). */
export function c2dTopic(deviceId: string, m: C2dMessage): string {
  const sys = { '$.mid': m.mid, '$.to': `/devices/${deviceId}/messages/devicebound`, '$.exp': new Date(m.expires).toISOString() };
  return `devices/${deviceId}/messages/devicebound/${encodePropertyBag({ ...sys, ...m.props })}`;
}
