// The runner's own logic in virtual time, against a scripted stand-in for the firmware client.
// (The real client over real sockets is covered in test/build/commands/script.test.ts.)
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import type { Event } from '../../../build/script/events.js';
import { validate } from '../../../build/script/parse.js';
import { runScript, type ScriptClient, type ScriptClientOptions } from '../../../build/script/run.js';

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
  /** Close instead of answering the next connect, without any error text. */
  hangUp = false;
  /** Called right after a CONNACK is reported, as the broker's first words on the connection. */
  greet?: (c: FakeClient) => void;

  constructor(public opts: ScriptClientOptions) {}

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
    if (this.silent.has('connect')) return;
    this.later(() => {
      if (this.hangUp) return this.h.close!('closed');
      if (this.rc) {
        this.h.error!(`connection refused: nope (rc ${this.rc})`);
        return this.h.close!('refused');
      }
      this.up = true;
      this.h.connect!(false);
      this.greet?.(this);
    });
  }
  publish(topic: string, payload: Uint8Array, o: { qos: 0 | 1 | 2; retain: boolean }, cb?: (err?: string) => void) {
    this.calls.push(['publish', topic, o.qos, this.up]);
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

async function play(steps: unknown[], setup: (c: FakeClient) => void = () => {}, top: Record<string, unknown> = {}) {
  const clock = new VirtualClock();
  const events: Event[] = [];
  const clients: FakeClient[] = [];
  let code: number | undefined;
  void runScript({
    script: validate({ host: 'h', port: 1, timeout: 500, steps, ...top }),
    pem: { ca: 'PEM' },
    clock,
    emit: (e) => events.push(e),
    createClient: (opts) => {
      const c = new FakeClient(opts);
      setup(c);
      clients.push(c);
      return c;
    },
  }).then((c) => (code = c));
  // Let promise chains settle, then move virtual time on, until the run ends.
  for (let i = 0; code === undefined; i++) {
    if (i > 1000) throw new Error('the run did not end');
    for (let j = 0; j < 20; j++) await Promise.resolve();
    clock.advance(100);
  }
  return { code, events, clients, clock };
}

const connect = { op: 'connect', clientId: 'c', clean: true };

describe('runScript', () => {
  it('builds the client once from the script and reconnects the same one with the new step options', async () => {
    const r = await play([connect, { op: 'drop' }, { op: 'connect', clientId: 'd', clean: false, keepalive: 5 }, { op: 'disconnect' }]);
    expect(r.code).toBe(0);
    expect(r.clients).toHaveLength(1);
    expect(r.clients[0]!.opts).toMatchObject({ host: 'h', port: 1, tls: true, ca: 'PEM', clientId: 'c', reconnect: false, limits: { ackTimeout: 500 } });
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

  it('stops with exit 1 when an ack does not come within the timeout, and ends the connection', async () => {
    const r = await play([connect, { op: 'subscribe', filters: [{ topic: 'a', qos: 1 }] }, { op: 'publish', topic: 'a', payload: 'x', qos: 0 }], (c) =>
      c.silent.add('subscribe'),
    );
    expect(r.code).toBe(1);
    expect(r.events.at(-1)).toEqual({ ev: 'error', msg: 'step 2 (subscribe): no SUBACK within 500 ms' });
    expect(r.clients[0]!.calls.map((x) => x[0])).toEqual(['connect', 'subscribe', 'end']);
  });

  it('reads the return code of a refused CONNACK from the error text and carries on', async () => {
    const r = await play([connect, { op: 'wait', ms: 10 }], (c) => (c.rc = 4));
    expect(r.code).toBe(0);
    expect(r.events).toEqual([
      { ev: 'connack', rc: 4, sessionPresent: false },
      { ev: 'error', msg: 'connection refused: nope (rc 4)' },
      { ev: 'closed', how: 'remote', reason: 'refused' },
    ]);
  });

  it('gives up with exit 1 when the connection closes with no CONNACK at all', async () => {
    const r = await play([connect, { op: 'disconnect' }], (c) => (c.hangUp = true));
    expect(r.code).toBe(1);
    expect(r.events).toEqual([{ ev: 'error', msg: 'step 1 (connect): connection closed before CONNACK' }]);
  });

  it('refuses what needs a connection while offline, but queues a publish without await', async () => {
    const r = await play([
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
    expect(r.clients[0]!.calls.filter((x) => x[0] === 'publish')).toEqual([['publish', 'q', 1, false]]);
  });

  it('takes a connect while connected as a reconnect on the same client, reporting only the new CONNACK', async () => {
    const r = await play([connect, { ...connect, clean: false }, { op: 'publish', topic: 'q', payload: 'x', qos: 1, await: true }]);
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
    const r = await play([connect, { op: 'connect', clientId: '', clean: false }, { op: 'subscribe', filters: [{ topic: 'a', qos: 0 }] }], (c) => {
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

  it('reports messages as they come and ends with DISCONNECT (no will) at the end of the script', async () => {
    const r = await play([connect, { op: 'wait', ms: 1000 }], (c) => {
      c.greet = () => c.h.message!('m/1', new Uint8Array([0xff]), { qos: 1, retain: true, dup: true });
    });
    expect(r.code).toBe(0);
    expect(r.events).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'message', topic: 'm/1', payloadHex: 'ff', qos: 1, retain: true, dup: true },
    ]);
    expect(r.clients[0]!.calls.at(-1)).toEqual(['end']);
  });

  it('tells onStep each step before it runs', async () => {
    const seen: string[] = [];
    const clock = new VirtualClock();
    const run = runScript({
      script: validate({ host: 'h', port: 1, steps: [{ op: 'wait', ms: 5 }, { op: 'wait', ms: 5 }] }),
      clock,
      emit: () => {},
      createClient: (o) => new FakeClient(o),
      onStep: (n, s) => seen.push(`${n}:${s.op}`),
    });
    for (let i = 0; i < 4; i++) {
      await Promise.resolve();
      clock.advance(5);
    }
    expect(await run).toBe(0);
    expect(seen).toEqual(['1:wait', '2:wait']);
  });
});
