// The server end the fake IoT Hub (fakeHub.ts) and the fake DPS (fakeDps.ts) share: one MQTT
// connection as the server sees it, SAS token checks with node:crypto, property bags parsed with the
// platform's URL functions, and a HAL on the emulated link for the device under test.
import { createHmac } from 'node:crypto';
import type { Clock, Hal } from '../../hal/types.js';
import { createDecoder } from '../../firmware/mqtt/codec/decode.js';
import { encode } from '../../firmware/mqtt/codec/encode.js';
import type { ConnectPacket, Packet } from '../../firmware/mqtt/codec/packet.js';
import { nodeCrypto } from '../../hal/emulated/crypto.js';
import type { Link, LinkPeer } from '../../hal/emulated/link.js';
import { memoryStorage } from '../../hal/emulated/storage.js';

export const KEY = Buffer.from('a test key of 32 bytes, not real').toString('base64');

/** Checks a SAS token against a resource URI and key; returns its expiry, or why it is refused. */
export function checkSas(token: string | undefined, uri: string, key: string, now: number, policy?: string): number | string {
  const m = /^SharedAccessSignature (.*)$/.exec(token ?? '');
  if (!m) return 'not a SAS token';
  const f = new URLSearchParams(m[1]!.replace(/\+/g, '%2B'));
  const sr = /(?:^|&)sr=([^&]*)/.exec(m[1]!)?.[1] ?? '';
  const se = Number(f.get('se'));
  if (f.get('sr') !== uri) return `sr is ${f.get('sr')}, not ${uri}`;
  if (policy !== undefined && f.get('skn') !== policy) return `skn is ${f.get('skn')}, not ${policy}`;
  const sig = createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${f.get('se')}`).digest('base64');
  if (f.get('sig') !== sig) return 'bad signature';
  if (!(se > now)) return `expired at ${se}, now ${now}`;
  return se;
}

export function parseBag(s: string): Record<string, string | null> {
  const o: Record<string, string | null> = {};
  for (const p of s ? s.split('&') : []) {
    const e = p.indexOf('=');
    o[decodeURIComponent(e < 0 ? p : p.slice(0, e))] = e < 0 ? null : decodeURIComponent(p.slice(e + 1));
  }
  return o;
}


/** One MQTT connection as the server sees it. */
export class ServerConn {
  connect: ConnectPacket | undefined;
  closed = false;
  /** Ids of the cloud-to-device messages sent on this connection. */
  readonly sent = new Set<number>();
  /** Run once when the connection ends, from either side. */
  onEnd: () => void = () => {};
  constructor(readonly peer: LinkPeer, readonly clock: Clock, onPacket: (c: ServerConn, p: Packet) => void) {
    const d = createDecoder(1 << 20, (p) => !this.closed && onPacket(this, p), () => this.close());
    peer.onData((b) => d.push(b.slice()));
    peer.onClose(() => this.end());
  }
  private end(): void {
    if (!this.closed) this.onEnd();
    this.closed = true;
  }
  send(p: Packet): void {
    if (!this.closed) this.peer.write(encode(p));
  }
  /** QoS 0, as the hub sends twin answers, desired patches and method calls. */
  publish(topic: string, body: string): void {
    this.send({ type: 3, topic, payload: Buffer.from(body), qos: 0, retain: false, dup: false });
  }
  close(): void {
    this.end();
    this.peer.close();
  }
}

/** A HAL on a fake server's link: the test's clock, Node's HMAC, memory storage, fixed jitter. */
export function linkHal(clock: Clock, link: Link): Hal {
  return {
    clock, transport: link.transport, storage: memoryStorage(), crypto: nodeCrypto(), random: () => 0.5,
    log: { debug() {}, info() {}, warn() {}, error() {} }, io: { write() {}, read: () => false, sense: () => 0 },
  };
}
