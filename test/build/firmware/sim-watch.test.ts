import { describe, expect, it } from 'vitest';
import { connectionWatch, failureNote, type SimEvent, watchDialer, watchTransport } from '../../../build/firmware/sim-watch.js';
import { memoryDialer } from '../../../hal/emulated/fake-modem-dial.js';
import { withLimits } from '../../../firmware/mqtt/limits.js';
import { encode } from '../../../firmware/mqtt/codec/encode.js';
import type { Packet } from '../../../firmware/mqtt/codec/packet.js';
import type { ConnectOptions, SocketHandlers, Transport } from '../../../hal/types.js';

/** A transport whose sockets the test drives: what the server "sends" and how the socket ends. */
function fakeTransport() {
  const socks: { opts: ConnectOptions; h: SocketHandlers; wrote: Uint8Array[]; closed: boolean }[] = [];
  const t: Transport = {
    connect(opts, h) {
      const s = { opts, h, wrote: [] as Uint8Array[], closed: false };
      socks.push(s);
      return { write: (b) => s.wrote.push(b), close: () => (s.closed = true) };
    },
  };
  return { t, socks };
}

const te = new TextEncoder();
const pub = (topic: string, qos: 0 | 1, id?: number): Packet => ({ type: 3, topic, payload: te.encode('{}'), qos, retain: false, dup: false, id });
const connect = encode({ type: 1, clientId: 'c', clean: true, keepalive: 60 });

function rig() {
  const { t, socks } = fakeTransport();
  const events: string[] = [];
  const w = watchTransport(t, { event: (e: SimEvent) => events.push(e), failed: () => events.push(`failed ${w.failures}: ${w.problem}`) });
  const got: string[] = [];
  const handlers: SocketHandlers = {
    onOpen: () => got.push('open'),
    onData: (b) => got.push(`data ${b.length}`),
    onError: (m) => got.push(`error ${m}`),
    onClose: (r) => got.push(`close ${r}`),
  };
  return { w, socks, events, got, sock: () => w.connect({ host: 'h', port: 1, tls: true }, handlers) };
}

describe('watchTransport', () => {
  it('passes everything through both ways unchanged', () => {
    const { socks, got, sock } = rig();
    const s = sock();
    expect(socks[0]!.opts).toEqual({ host: 'h', port: 1, tls: true });
    s.write(connect);
    expect(socks[0]!.wrote).toEqual([connect]);
    socks[0]!.h.onOpen();
    socks[0]!.h.onData(new Uint8Array([32, 2, 0, 0]));
    socks[0]!.h.onError('boom');
    socks[0]!.h.onClose('gone');
    s.close();
    expect(socks[0]!.closed).toBe(true);
    expect(got).toEqual(['open', 'data 4', 'error boom', 'close gone']);
  });

  it('"connected" on an accepted CONNACK; "message" when the server acknowledged the first QoS 1 PUBLISH to a non-$ topic', () => {
    const { w, socks, events, sock } = rig();
    const s = sock();
    s.write(connect);
    socks[0]!.h.onOpen();
    expect(events).toEqual([]);
    socks[0]!.h.onData(encode({ type: 2, sessionPresent: false, rc: 0 }));
    expect(events).toEqual(['connected']);
    // IoT Hub twin traffic is not a message; its ack does not count.
    s.write(encode(pub('$iothub/twin/GET/?$rid=1', 1, 1)));
    socks[0]!.h.onData(encode({ type: 4, id: 1 }));
    s.write(encode(pub('devices/d/messages/events/', 1, 2)));
    expect(events).toEqual(['connected']);
    // A PUBACK for another id and the SUBACK arrive in one chunk with it, the PUBACK split after.
    const acks = [...encode({ type: 4, id: 7 }), ...encode({ type: 9, id: 3, codes: [1] }), ...encode({ type: 4, id: 2 })];
    socks[0]!.h.onData(new Uint8Array(acks.slice(0, -1)));
    expect(events).toEqual(['connected']);
    socks[0]!.h.onData(new Uint8Array(acks.slice(-1)));
    expect(events).toEqual(['connected', 'message']);
    s.write(encode(pub('t', 0)));
    socks[0]!.h.onClose('closed');
    expect(events).toEqual(['connected', 'message']);
    expect(w.seen).toEqual({ connected: true, message: true });
    expect(w.failures).toBe(0);
  });

  it('a QoS 0 PUBLISH counts once written', () => {
    const { socks, events, sock } = rig();
    const s = sock();
    socks[0]!.h.onData(encode({ type: 2, sessionPresent: false, rc: 0 }));
    s.write(encode(pub('tinyiot/blink/state', 0)));
    expect(events).toEqual(['connected', 'message']);
  });

  it('counts failed attempts with the reason: socket error, refused CONNACK, early close', () => {
    const { w, socks, events, sock } = rig();
    sock();
    socks[0]!.h.onError('self-signed certificate in certificate chain');
    socks[0]!.h.onClose('self-signed certificate in certificate chain');
    sock();
    socks[1]!.h.onOpen();
    socks[1]!.h.onData(encode({ type: 2, sessionPresent: false, rc: 5 }));
    socks[1]!.h.onClose('closed');
    sock();
    socks[2]!.h.onOpen();
    socks[2]!.h.onClose('reset');
    expect(events).toEqual([
      'failed 1: self-signed certificate in certificate chain',
      'failed 2: the server refused the connection (CONNACK 5: not authorized)',
      'failed 3: the connection closed before the server accepted the device (reset)',
    ]);
    expect(w.attempts).toBe(3);
    expect(w.seen).toEqual({});
  });

  it('counts the failures in a row since the last accepted CONNACK (streak), for the backoff', () => {
    const { w, socks, sock } = rig();
    const refused = (i: number, rc: number) => {
      sock();
      socks[i]!.h.onOpen();
      socks[i]!.h.onData(encode({ type: 2, sessionPresent: false, rc }));
      socks[i]!.h.onClose('closed');
    };
    refused(0, 5);
    refused(1, 5);
    expect([w.failures, w.streak]).toEqual([2, 2]);
    refused(2, 0); // accepted, then closed: not a failure
    expect([w.failures, w.streak]).toEqual([2, 0]);
    refused(3, 4);
    expect([w.failures, w.streak]).toEqual([3, 1]);
    expect(w.problem).toBe('the server refused the connection (CONNACK 4: bad user name or password)');
  });

  it("failureNote names the reason and the backoff's longest wait for the failures in a row, up to its cap", () => {
    const { w, socks, sock } = rig();
    const limits = withLimits({ backoffMin: 1500, backoffMax: 5000 });
    const notes: string[] = [];
    for (let i = 0; i < 4; i++) {
      sock();
      socks[i]!.h.onOpen();
      socks[i]!.h.onData(encode({ type: 2, sessionPresent: false, rc: 5 }));
      socks[i]!.h.onClose('closed');
      notes.push(failureNote(w, limits));
    }
    const why = 'the server refused the connection (CONNACK 5: not authorized)';
    expect(notes).toEqual([
      `attempt 1 failed: ${why}; the device tries again within 1.5 s`,
      `attempt 2 failed: ${why}; the device tries again within 3 s`,
      `attempt 3 failed: ${why}; the device tries again within 5 s`,
      `attempt 4 failed: ${why}; the device tries again within 5 s`,
    ]);
  });

  it('a garbled stream stops the watching, not the device', () => {
    const { socks, events, got, sock } = rig();
    sock();
    socks[0]!.h.onData(new Uint8Array([0xf0, 0, 0, 0]));
    socks[0]!.h.onData(encode({ type: 2, sessionPresent: false, rc: 0 }));
    expect(got).toEqual(['data 4', 'data 4']);
    expect(events).toEqual([]);
  });
});

describe('watchDialer', () => {
  const latin1 = (p: Packet) => Buffer.from(encode(p)).toString('latin1');
  const req = { host: 'h', port: 1, tls: true, verify: false };
  const ev = (got: string[]) => ({ open: () => got.push('open'), data: (d: string) => got.push(`data ${d.length}`), close: () => got.push('close'), error: (m: string) => got.push(`error ${m}`) });

  it("watches a modem's links: the device's first message, a refusal, each link ending once", () => {
    const events: string[] = [];
    const w = connectionWatch({ event: (e) => events.push(e), failed: (x) => events.push(`failed ${x.failures}: ${x.problem}`) });
    let refuse = true;
    // The peer answers a link's first bytes (its CONNECT) with a CONNACK.
    const dial = watchDialer(memoryDialer((c) => {
      let answered = false;
      return { data: () => answered || ((answered = true), c.write(latin1({ type: 2, sessionPresent: false, rc: refuse ? 5 : 0 }))) };
    }), w);
    const got: string[] = [];
    const a = dial(req, ev(got));
    a.write(Buffer.from(connect).toString('latin1'));
    a.end();
    a.end();
    refuse = false;
    const b = dial(req, ev(got));
    b.write(Buffer.from(connect).toString('latin1'));
    b.write(latin1(pub('t', 0)));
    expect(got).toEqual(['open', 'data 4', 'open', 'data 4']);
    expect(events).toEqual(['failed 1: the server refused the connection (CONNACK 5: not authorized)', 'connected', 'message']);
    expect([w.attempts, w.failures]).toEqual([2, 1]);
  });

  it('a link that fails to open is a failed attempt with its error', () => {
    const w = connectionWatch();
    const got: string[] = [];
    watchDialer(memoryDialer(() => undefined, () => true), w)(req, ev(got));
    expect(got).toEqual(['error connection refused']);
    expect([w.failures, w.problem]).toEqual([1, 'connection refused']);
  });
});
