// The step player's own logic in virtual time, against a scripted stand-in for the firmware client
// that dials through the HAL transport it is given, as the real client does. (The real client over
// real sockets, on both engines, is covered in test/build/commands/script-*.test.ts.)
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { createEmulatedHal } from '../../../hal/emulated/index.js';
import type { Hal, SocketHandlers } from '../../../hal/types.js';
import { validate } from '../../../build/script/parse.js';
import { toPlan } from '../../../build/script/plan.js';
import { CLIENT_ACK_MARGIN, play, type PlayerEvent, type ScriptClient, type ScriptClientOptions } from '../../../build/script/player.js';

type Handler = (...a: any[]) => void;

/** Answers like a well-behaved broker would, unless told to stay silent or to refuse. */
class FakeClient implements ScriptClient {
  h: Record<string, Handler> = {};
  calls: unknown[][] = [];
  up = false;
  /** Ops that never get an answer. */
  silent = new Set<string>();
  /** CONNACK return code for the next connect (0 = accept). */
  rc = 0;
  /** Close once the socket is open instead of answering the connect, without any error text. */
  hangUp = false;
  /** Called right after a CONNACK is reported, as the broker's first words on the connection. */
  greet?: (c: FakeClient) => void;

  constructor(
    private hal: Hal,
    public opts: ScriptClientOptions,
  ) {}

  private later(fn: () => void) {
    queueMicrotask(fn);
  }
  connect(o?: Partial<ScriptClientOptions>) {
    this.calls.push(['connect', o]);
    if (o && o.clientId === '' && o.clean === false) throw new Error('[MQTT-3.1.3-7] an empty clientId needs clean: true');
    // Like the firmware client: a connect while up ends that connection first (DISCONNECT).
    if (this.up) {
      this.up = false;
      this.h.close!('reconnect');
    }
    this.hal.transport.connect(
      { host: this.opts.host, port: this.opts.port, tls: this.opts.tls },
      {
        onOpen: () => this.opened(),
        onData: () => {},
        onError: (m) => this.h.error!(m),
        onClose: (r) => this.h.close!(r),
      },
    );
  }
  private opened() {
    if (this.silent.has('connect')) return;
    if (this.hangUp) return this.h.close!('closed');
    if (this.rc) {
      this.h.error!(`connection refused: nope (rc ${this.rc})`);
      return this.h.close!('refused');
    }
    this.up = true;
    this.h.connect!(false);
    this.greet?.(this);
  }
  publish(topic: string, payload: Uint8Array, o: { qos: 0 | 1 | 2; retain: boolean }, cb?: (err?: string) => void) {
    this.calls.push(['publish', topic, Array.from(payload), o.qos, this.up]);
    if (this.up && !this.silent.has('publish')) this.later(() => cb?.());
  }
  subscribe(subs: { topic: string; qos: 0 | 1 | 2 }[], cb?: (err: string | undefined, codes: number[]) => void) {
    this.calls.push(['subscribe']);
    if (!this.silent.has('subscribe')) this.later(() => cb?.(undefined, subs.map((s) => s.qos)));
  }
  unsubscribe(_t: string[], cb?: (err?: string) => void) {
    this.calls.push(['unsubscribe']);
    this.later(() => cb?.());
  }
  end(cb?: () => void) {
    this.calls.push(['end']);
    this.up = false;
    this.h.close!('end');
    cb?.();
  }
  drop() {
    this.calls.push(['drop']);
    this.up = false;
    this.h.close!('drop');
  }
  on(ev: string, fn: Handler) {
    this.h[ev] = fn;
  }
}

/** A transport whose sockets open, or fail the way a refused dial does (error, then close). */
function fakeTransport(refuse: boolean) {
  return {
    connect(_o: unknown, h: SocketHandlers) {
      queueMicrotask(() => {
        if (!refuse) return h.onOpen();
        h.onError('connect ECONNREFUSED');
        h.onClose('connect ECONNREFUSED');
      });
      return { write() {}, close() {} };
    },
  };
}

async function run(steps: unknown[], setup: (c: FakeClient) => void = () => {}, top: Record<string, unknown> = {}, refuse = false, stopOnFailure = false) {
  const clock = new VirtualClock();
  const events: PlayerEvent[] = [];
  const clients: FakeClient[] = [];
  let code: number | undefined;
  play({
    plan: { ...toPlan(validate({ host: 'h', port: 1, timeout: 500, steps, ...top }), { ca: 'PEM' }), stopOnFailure },
    hal: createEmulatedHal({ clock, transport: fakeTransport(refuse) }),
    emit: (e) => events.push(e),
    createClient: (hal, opts) => {
      const c = new FakeClient(hal, opts);
      setup(c);
      clients.push(c);
      return c;
    },
    done: (c) => (code = c),
  });
  // Let queued callbacks run, then move virtual time on, until the run ends.
  for (let i = 0; code === undefined; i++) {
    if (i > 1000) throw new Error('the run did not end');
    for (let j = 0; j < 20; j++) await Promise.resolve();
    clock.advance(100);
  }
  return { code, events, clients, clock };
}

const connect = { op: 'connect', clientId: 'c', clean: true };

describe('play with stopOnFailure (tinyiot script without --keep-going)', () => {
  const steps = [{ op: 'subscribe', filters: [{ topic: 'a', qos: 0 }] }, connect, { op: 'disconnect' }];

  it('ends at the first step that reported an error, with exit code 1', async () => {
    const r = await run(steps, undefined, {}, false, true);
    expect([r.code, r.events, r.clients.length]).toEqual([1, [{ ev: 'error', msg: 'step 1 (subscribe): not connected' }], 0]);
  });

  it('without it reports the error and goes on', async () => {
    const r = await run(steps);
    expect(r.code).toBe(0);
    expect(r.events.map((e) => e.ev)).toEqual(['error', 'connack', 'closed']);
  });
});

describe('play', () => {
  it('builds the client once from the plan and reconnects the same one with the new step options', async () => {
    const r = await run([connect, { op: 'drop' }, { op: 'connect', clientId: 'd', clean: false, keepalive: 5 }, { op: 'disconnect' }]);
    expect(r.code).toBe(0);
    expect(r.clients).toHaveLength(1);
    expect(r.clients[0]!.opts).toMatchObject({ host: 'h', port: 1, tls: true, ca: 'PEM', clientId: 'c', reconnect: false, limits: { ackTimeout: 500 + CLIENT_ACK_MARGIN } });
    expect(r.clients[0]!.calls[2]).toEqual([
      'connect',
      { clientId: 'd', clean: false, keepalive: 5, username: undefined, password: undefined, will: undefined },
    ]);
    expect(r.events).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'closed', how: 'drop' },
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'closed', how: 'disconnect' },
    ]);
    expect(r.clock.pending()).toBe(0);
  });

  it('hands payloads and wills to the client as bytes, and reports received payloads as hex', async () => {
    const will = { topic: 'w', payloadHex: '00ff', qos: 1 };
    const r = await run([{ ...connect, will }, { op: 'publish', topic: 'p', payload: 'é', qos: 0 }, { op: 'wait', ms: 10 }], (c) => {
      c.greet = () => c.h.message!('m/1', new Uint8Array([0xff, 1]), { qos: 1, retain: true, dup: true });
    });
    expect(r.clients[0]!.opts.will).toEqual({ topic: 'w', payload: new Uint8Array([0, 255]), qos: 1, retain: false });
    expect(r.clients[0]!.calls.find((x) => x[0] === 'publish')).toEqual(['publish', 'p', [0xc3, 0xa9], 0, true]);
    expect(r.events).toContainEqual({ ev: 'message', topic: 'm/1', payloadHex: 'ff01', qos: 1, retain: true, dup: true });
  });

  it('stops with exit 1 when an ack does not come within the timeout, and ends the connection', async () => {
    const r = await run([connect, { op: 'subscribe', filters: [{ topic: 'a', qos: 1 }] }, { op: 'publish', topic: 'a', payload: 'x', qos: 0 }], (c) =>
      c.silent.add('subscribe'),
    );
    expect(r.code).toBe(1);
    expect(r.events.at(-1)).toEqual({ ev: 'error', msg: 'step 2 (subscribe): no SUBACK within 500 ms' });
    expect(r.clients[0]!.calls.map((x) => x[0])).toEqual(['connect', 'subscribe', 'end']);
  });

  it('stops with exit 1 when no CONNACK comes, dropping the connection', async () => {
    const r = await run([connect, { op: 'disconnect' }], (c) => c.silent.add('connect'));
    expect(r.code).toBe(1);
    expect(r.events).toEqual([{ ev: 'error', msg: 'step 1 (connect): no CONNACK within 500 ms' }]);
    expect(r.clients[0]!.calls.map((x) => x[0])).toEqual(['connect', 'drop']);
  });

  it('reads the return code of a refused CONNACK from the error text and carries on', async () => {
    const r = await run([connect, { op: 'wait', ms: 10 }], (c) => (c.rc = 4));
    expect(r.code).toBe(0);
    expect(r.events).toEqual([
      { ev: 'connack', rc: 4, sessionPresent: false },
      { ev: 'error', msg: 'connection refused: nope (rc 4)' },
      { ev: 'closed', how: 'remote', reason: 'refused' },
    ]);
  });

  it('gives up with exit 1 when the connection closes with no CONNACK at all', async () => {
    const r = await run([connect, { op: 'disconnect' }], (c) => (c.hangUp = true));
    expect(r.code).toBe(1);
    expect(r.events).toEqual([{ ev: 'error', msg: 'step 1 (connect): connection closed before CONNACK' }]);
  });

  it('gives up with exit 1 when the broker cannot be reached, the platform\'s words only in reason', async () => {
    const r = await run([connect, { op: 'disconnect' }], () => {}, {}, true);
    expect(r.code).toBe(1);
    expect(r.events).toEqual([{ ev: 'error', msg: 'step 1 (connect): could not connect to h:1', reason: 'connect ECONNREFUSED' }]);
  });

  it('refuses what needs a connection while offline, but queues a publish without await', async () => {
    const r = await run([
      connect,
      { op: 'drop' },
      { op: 'subscribe', filters: [{ topic: 'a', qos: 0 }] },
      { op: 'unsubscribe', filters: ['a'] },
      { op: 'publish', topic: 'q', payload: 'x', qos: 1, await: true },
      { op: 'publish', topic: 'q', payload: 'x', qos: 1 },
      { op: 'drop' },
    ]);
    expect(r.code).toBe(0);
    expect(r.events.filter((e) => e.ev === 'error').map((e) => (e as { msg: string }).msg)).toEqual([
      'step 3 (subscribe): not connected',
      'step 4 (unsubscribe): not connected',
      'step 5 (publish): not connected, so no acknowledgement can come',
      'step 7 (drop): not connected',
    ]);
    expect(r.clients[0]!.calls.filter((x) => x[0] === 'publish')).toEqual([['publish', 'q', [0x78], 1, false]]);
  });

  it('takes a connect while connected as a reconnect on the same client, reporting only the new CONNACK', async () => {
    const r = await run([connect, { ...connect, clean: false }, { op: 'publish', topic: 'q', payload: 'x', qos: 1, await: true }]);
    expect(r.code).toBe(0);
    expect(r.clients).toHaveLength(1);
    expect(r.clients[0]!.calls.map((x) => x[0])).toEqual(['connect', 'connect', 'publish', 'end']);
    expect(r.events).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'published', topic: 'q', qos: 1 },
    ]);
  });

  it('keeps the connection, and still reports its later loss, when the client refuses a reconnect', async () => {
    const r = await run([connect, { op: 'connect', clientId: '', clean: false }, { op: 'subscribe', filters: [{ topic: 'a', qos: 0 }] }], (c) => {
      c.subscribe = () => {
        c.up = false;
        c.h.close!('gone');
      };
    });
    expect(r.code).toBe(0);
    expect(r.events).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'error', msg: 'step 2 (connect): [MQTT-3.1.3-7] an empty clientId needs clean: true' },
      { ev: 'closed', how: 'remote', reason: 'gone' },
      { ev: 'error', msg: 'step 3 (subscribe): connection closed before SUBACK' },
    ]);
  });

  it('ends with DISCONNECT (no will) at the end of the script', async () => {
    const r = await run([connect, { op: 'wait', ms: 1000 }]);
    expect(r.code).toBe(0);
    expect(r.clients[0]!.calls.at(-1)).toEqual(['end']);
  });

  it('runs a long script of steps that finish at once without growing the stack', async () => {
    const r = await run(Array.from({ length: 5000 }, () => ({ op: 'drop' })));
    expect(r.code).toBe(0);
    expect(r.events).toHaveLength(5000);
  });
});
