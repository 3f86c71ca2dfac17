// Cloud-to-device queue: per device, in order, each message kept until the device PUBACKs it or
// its time to live runs out, and written to c2d.json on every change so it survives a hub
// restart. IoT Hub's limits hold (limits.ts): 50 messages a device, 64 KB each, 2 days to live.
// A message is checked whole when it is queued, down to the topic it will be delivered on, and
// again when the file is read back: what is in the queue can always be sent, so nothing queued
// can fail later inside a device's connection, or at every start of the hub.
import { randomUUID } from 'node:crypto';
import { escapeText } from '../../firmware/iothub/ids.js';
import { encodePropertyBag, type PropertyBag } from '../../firmware/iothub/propbag.js';
import { readJson, writeJson } from './files.js';
import { C2D_LIMITS } from './limits.js';

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
  /** A message read back from the file that could not be sent (written by an older hub): dropped. */
  onInvalid?: (deviceId: string, reason: string) => void;
}

/** System properties a sender may set; $.mid, $.to and $.exp are the hub's. */
const SENDER_SYSTEM = ['$.cid', '$.uid', '$.ct', '$.ce'];
// With the u flag a surrogate range matches only a surrogate that is not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** MQTT's longest topic, in UTF-8 bytes. */
const MAX_TOPIC_BYTES = 65535;

/** Why `props` cannot be a message's application properties, or null. */
export function propsError(props: unknown): string | null {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) return 'props must be an object mapping names to strings';
  for (const [k, v] of Object.entries(props)) {
    if (!k) return 'empty property name';
    // The property bag cannot carry it: it would become the prototype of whatever decodes it.
    if (k === '__proto__') return "property name '__proto__' is not allowed";
    if (typeof v !== 'string') return `property '${k}' must be a string`;
    if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) return `property '${escapeText(k)}' holds a lone UTF-16 surrogate, which has no UTF-8 form`;
    if (k.startsWith('$.') && !SENDER_SYSTEM.includes(k)) return `property '${k}' is not one a sender may set (${SENDER_SYSTEM.join(', ')})`;
  }
  return null;
}

/** Why `m` could not be delivered to `deviceId`, or null. */
export function messageError(deviceId: string, m: C2dMessage): string | null {
  const bad = propsError(m.props);
  if (bad) return bad;
  if (typeof m.mid !== 'string' || typeof m.body !== 'string' || !Number.isInteger(m.deliveries)) return 'not a queued message';
  if (Buffer.byteLength(m.body, 'base64') > C2D_LIMITS.maxBodyBytes) return `message body over ${C2D_LIMITS.maxBodyBytes} bytes`;
  // A Date holds +-8.64e15 ms; past that the expiry has no ISO form for the topic's $.exp.
  if (!Number.isSafeInteger(m.expires) || Math.abs(m.expires) > 8.64e15) return 'expiry out of range';
  if (Buffer.byteLength(c2dTopic(deviceId, m)) > MAX_TOPIC_BYTES) return `properties make the topic longer than ${MAX_TOPIC_BYTES} bytes`;
  return null;
}

export class C2dQueue {
  /** Messages dropped because they expired before being acknowledged. */
  expired = 0;
  /** Device id -> its messages, oldest first. A Map: ids such as `__proto__` are plain keys. */
  private readonly q = new Map<string, C2dMessage[]>();
  private readonly ttl: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(private readonly path: string, private readonly opts: C2dOptions = {}) {
    this.ttl = opts.ttlMs ?? C2D_LIMITS.defaultTtlMs;
    this.max = opts.maxPerDevice ?? C2D_LIMITS.maxPerDevice;
    this.now = opts.now ?? Date.now;
    if (!(this.ttl > 0 && this.ttl <= C2D_LIMITS.maxTtlMs)) throw new Error(`the default ttl must be more than 0 and at most ${C2D_LIMITS.maxTtlMs / 1000} s (IoT Hub's 2 days)`);
    const file = readJson<unknown>(path, {});
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new Error(`${path}: not a JSON object of queues`);
    let dropped = false;
    for (const [id, list] of Object.entries(file)) {
      const ok: C2dMessage[] = [];
      for (const m of Array.isArray(list) ? (list as C2dMessage[]) : []) {
        const why = typeof m === 'object' && m !== null ? messageError(id, m) : 'not a queued message';
        if (why) (dropped = true, opts.onInvalid?.(id, why));
        else ok.push({ mid: m.mid, body: m.body, props: { ...m.props }, expires: m.expires, deliveries: m.deliveries });
      }
      if (ok.length) this.q.set(id, ok);
    }
    if (dropped) this.save();
  }

  /** Throws, queueing nothing, on a bad body, properties or ttl, or a full queue. */
  enqueue(deviceId: string, body: Buffer, props: Record<string, string> = {}, ttlMs = this.ttl): C2dMessage {
    const bad = propsError(props);
    if (bad) throw new Error(bad);
    if (body.length > C2D_LIMITS.maxBodyBytes) throw new Error(`a cloud-to-device message may be at most ${C2D_LIMITS.maxBodyBytes} bytes (IoT Hub's limit), not ${body.length}`);
    if (!(ttlMs > 0 && ttlMs <= C2D_LIMITS.maxTtlMs)) throw new Error(`ttl must be more than 0 and at most ${C2D_LIMITS.maxTtlMs / 1000} s (IoT Hub's 2 days)`);
    const list = this.pending(deviceId);
    if (list.length >= this.max) throw new Error(`the queue of '${deviceId}' is full (${this.max} messages)`);
    const m: C2dMessage = { mid: randomUUID(), body: body.toString('base64'), props: { ...props }, expires: this.now() + ttlMs, deliveries: 0 };
    const why = messageError(deviceId, m);
    if (why) throw new Error(why);
    this.q.set(deviceId, [...list, m]);
    this.save();
    return m;
  }

  /** The device's unexpired messages, oldest first; expired ones are dropped and counted here. */
  pending(deviceId: string): C2dMessage[] {
    const list = this.q.get(deviceId) ?? [];
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
    for (const d of [...this.q.keys()]) this.pending(d);
  }

  delivered(deviceId: string, mid: string): void {
    const m = this.q.get(deviceId)?.find((x) => x.mid === mid);
    if (m) (m.deliveries++, this.save());
  }

  /** False when the message was not (or no longer) queued. */
  ack(deviceId: string, mid: string): boolean {
    const list = this.q.get(deviceId) ?? [];
    const rest = list.filter((m) => m.mid !== mid);
    if (rest.length === list.length) return false;
    this.set(deviceId, rest);
    return true;
  }

  purge(deviceId: string): void {
    if (this.q.has(deviceId)) this.set(deviceId, []);
  }

  private set(deviceId: string, list: C2dMessage[]): void {
    if (list.length) this.q.set(deviceId, list);
    else this.q.delete(deviceId);
    this.save();
  }

  private save(): void {
    // Object.fromEntries defines own properties, so an id such as `__proto__` is written as a key.
    writeJson(this.path, Object.fromEntries(this.q));
  }
}

/** `devices/{id}/messages/devicebound/$.mid=..&$.to=..&$.exp=..&{props}` (property bag encoded). */
export function c2dTopic(deviceId: string, m: C2dMessage): string {
  const sys = { '$.mid': m.mid, '$.to': `/devices/${deviceId}/messages/devicebound`, '$.exp': new Date(m.expires).toISOString() };
  return `devices/${deviceId}/messages/devicebound/${encodePropertyBag({ ...sys, ...m.props })}`;
}
