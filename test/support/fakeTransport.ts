// A scripted Transport for MQTT client tests, with the broker's side played by the test through the
// codec: every byte the client writes is decoded into packets, and the test answers with packets.
// Nothing happens on its own: the test opens, answers, drops. Writing to a socket the client closed
// throws, so a client that does so fails its test.
import type { ConnectOptions, Hal, Socket, SocketHandlers, Storage, Transport } from '../../hal/types.js';
import { createDecoder } from '../../firmware/mqtt/codec/decode.js';
import { encode } from '../../firmware/mqtt/codec/encode.js';
import type { Packet } from '../../firmware/mqtt/codec/packet.js';
import { VirtualClock } from '../../hal/emulated/clock.js';
import { memoryStorage } from '../../hal/emulated/storage.js';

export class FakeConn {
  /** Every packet the client wrote, in order. */
  readonly got: Packet[] = [];
  /** Index into got of the first packet take() has not returned yet. */
  private seen = 0;
  /** The client called close(). */
  closedByClient = false;
  /** Closed from either side; writes after this throw. */
  ended = false;
  /** A decoding error in what the client wrote (a broken client). */
  wireError: string | undefined;
  readonly socket: Socket;
  private readonly dec;

  constructor(readonly opts: ConnectOptions, readonly h: SocketHandlers) {
    this.dec = createDecoder(1 << 24, (p) => this.got.push(p), (e) => (this.wireError = e));
    this.socket = {
      write: (b) => {
        if (this.ended) throw new Error('fake transport: write after close');
        // Copy, as a real socket may still hold the bytes when the client reuses its buffer.
        this.dec.push(b.slice());
      },
      close: () => {
        this.closedByClient = true;
        this.ended = true;
      },
    };
  }

  /** Packets written since the last take(). */
  take(): Packet[] {
    const out = this.got.slice(this.seen);
    this.seen = this.got.length;
    return out;
  }

  /** Packet types written since the last take(), e.g. [1] for CONNECT. */
  types(): number[] {
    return this.take().map((p) => p.type);
  }

  open(): void {
    this.h.onOpen();
  }

  /** The broker sends a packet. */
  send(p: Packet): void {
    this.h.onData(encode(p));
  }

  bytes(b: ArrayLike<number>): void {
    this.h.onData(Uint8Array.from(b));
  }

  connack(rc = 0, sessionPresent = false): void {
    this.send({ type: 2, sessionPresent, rc });
  }

  /** The connection dies from the network's side. */
  drop(reason = 'connection reset'): void {
    this.ended = true;
    this.h.onClose(reason);
  }

  error(msg: string): void {
    this.h.onError(msg);
    this.drop(msg);
  }
}

export class FakeTransport implements Transport {
  readonly conns: FakeConn[] = [];

  connect(opts: ConnectOptions, h: SocketHandlers): Socket {
    const c = new FakeConn(opts, h);
    this.conns.push(c);
    return c.socket;
  }

  get last(): FakeConn {
    const c = this.conns[this.conns.length - 1];
    if (!c) throw new Error('fake transport: no connection yet');
    return c;
  }
}

/** A Hal with a VirtualClock, a FakeTransport, memory storage and a scripted random(). */
export function fakeHal(opts: { random?: () => number; storage?: Storage } = {}) {
  const clock = new VirtualClock();
  const transport = new FakeTransport();
  const storage = opts.storage ?? memoryStorage();
  const hal: Hal = {
    clock,
    transport,
    storage,
    random: opts.random ?? (() => 0.5),
    crypto: {
      hmacSha256: () => {
        throw new Error('not used');
      },
    },
    log: { debug() {}, info() {}, warn() {}, error() {} },
    io: { write() {}, read: () => false, sense: () => 0 },
  };
  return { hal, clock, transport, storage };
}
