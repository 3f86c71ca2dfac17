// Plays a validated script against a broker through the firmware's own MQTT client, reporting
// what happened as events. Returns the exit code: 0 when every step ran, 1 when an ack never came
// or the broker could not be reached (nothing further can be done then).
import type { Clock } from '../../hal/types.js';
import type { Emit } from './events.js';
import { payloadField } from './events.js';
import type { QoS } from './fields.js';
import type { ClientOptions } from '../../firmware/mqtt/client.js';
import type { ConnectStep, PublishStep, Script, Step } from './parse.js';

/** The part of the firmware client's options a script sets (payloads already bytes). */
export type ScriptClientOptions = Pick<ClientOptions, 'host' | 'port' | 'tls' | 'ca' | 'cert' | 'key' | 'clientId' | 'username' | 'clean' | 'reconnect'> & {
  password?: string;
  keepalive: number;
  will?: { topic: string; payload: Uint8Array; qos: QoS; retain: boolean };
  limits?: { ackTimeout?: number };
};

/** The part of the firmware client a script drives (firmware/mqtt/client.ts). */
export interface ScriptClient {
  connect(opts?: Partial<ScriptClientOptions>): void;
  publish(topic: string, payload: Uint8Array, o: { qos: QoS; retain: boolean }, cb?: (err?: string) => void): void;
  subscribe(subs: { topic: string; qos: QoS }[], cb?: (err: string | undefined, codes: number[]) => void): void;
  unsubscribe(topics: string[], cb?: (err?: string) => void): void;
  end(cb?: () => void): void;
  drop(): void;
  on(ev: 'connect', fn: (sessionPresent: boolean) => void): unknown;
  on(ev: 'message', fn: (topic: string, payload: Uint8Array, p: { qos: QoS; retain: boolean; dup: boolean }) => void): unknown;
  on(ev: 'close', fn: (reason: string) => void): unknown;
  on(ev: 'error', fn: (msg: string) => void): unknown;
}

export interface RunOptions {
  script: Script;
  /** PEM text already read from the files the script names. */
  pem?: { ca?: string; cert?: string; key?: string };
  clock: Clock;
  emit: Emit;
  createClient(opts: ScriptClientOptions): ScriptClient;
  /** Told before each step runs (n counts from 1); the demo uses it to narrate. */
  onStep?(n: number, s: Step): void;
}

const TIMEOUT = Symbol('timeout');
const CLOSED = Symbol('closed');
/** Stop the run with this exit code. */
type Outcome = void | number;

export async function runScript(o: RunOptions): Promise<number> {
  return new Runner(o).run();
}

class Runner {
  private client: ScriptClient | undefined;
  private connected = false;
  /** A CONNACK (accepted or refused) came on the current socket, so its close is worth reporting. */
  private open = false;
  private closing: 'drop' | 'disconnect' | 'end' | undefined;
  private refusedRc: number | undefined;
  private errors = 0;
  private onConnect: (() => void) | undefined;
  private onClose: (() => void) | undefined;

  constructor(private readonly o: RunOptions) {}

  private emit: Emit = (e) => {
    if (e.ev === 'error') this.errors++;
    this.o.emit(e);
  };

  async run(): Promise<number> {
    const steps = this.o.script.steps;
    let code = 0;
    for (let i = 0; i < steps.length && !code; i++) {
      const s = steps[i]!;
      this.o.onStep?.(i + 1, s);
      code = (await this.step(s, `step ${i + 1} (${s.op})`)) ?? 0;
    }
    if (this.connected && this.client) {
      // DISCONNECT, not a drop: a script that forgot `disconnect` must not make the broker send its will.
      this.closing = 'end';
      this.client.end();
    }
    return code;
  }

  private fail(where: string, msg: string): void {
    this.emit({ ev: 'error', msg: `${where}: ${msg}` });
  }

  private timedOut(where: string, what: string): number {
    this.fail(where, `no ${what} within ${this.o.script.timeout} ms`);
    return 1;
  }

  private step(s: Step, where: string): Promise<Outcome> | Outcome {
    if (s.op === 'connect') return this.connect(s, where);
    if (s.op === 'wait') return this.sleep(s.ms);
    if (s.op === 'publish') return this.publish(s, where);
    const c = this.client;
    if (!c || !this.connected) return this.fail(where, 'not connected');
    switch (s.op) {
      case 'subscribe':
        return this.ack(where, 'SUBACK', (done) =>
          // A filter the broker refused shows as 0x80 in the codes; the client's err just repeats it.
          c.subscribe(s.filters, (err, codes) =>
            done(() => this.emit(err && !codes?.length ? { ev: 'error', msg: `${where}: ${err}` } : { ev: 'suback', codes })),
          ),
        );
      case 'unsubscribe':
        return this.ack(where, 'UNSUBACK', (done) =>
          c.unsubscribe(s.filters, (err) => done(() => this.emit(err ? { ev: 'error', msg: `${where}: ${err}` } : { ev: 'unsuback' }))),
        );
      case 'drop':
      case 'disconnect':
        return this.close(c, s.op, where);
    }
  }

  private async connect(s: ConnectStep, where: string): Promise<Outcome> {
    const sc = this.o.script;
    const opts = {
      clientId: s.clientId,
      clean: s.clean,
      keepalive: s.keepalive,
      username: s.username,
      password: s.password,
      will: s.will,
    };
    this.refusedRc = undefined;
    const errors = this.errors;
    const r = await this.wait((done) => {
      this.onConnect = () => done(true);
      try {
        if (this.client) {
          // While connected this is a reconnect: the client sends DISCONNECT and dials again, keeping
          // the session and in-flight messages. That first close is ours, so it is not reported.
          if (this.connected) this.closing = 'end';
          this.client.connect(opts);
        } else {
          const c = this.o.createClient({
            host: sc.host,
            port: sc.port,
            tls: sc.tls,
            ...this.o.pem,
            ...opts,
            limits: { ackTimeout: sc.timeout },
            reconnect: false,
          });
          this.hook(c);
          this.client = c;
          c.connect();
        }
        this.onClose = () => done(CLOSED);
      } catch (e) {
        // The client refused to send (e.g. [MQTT-3.1.3-7]) and kept any connection: report it and go on.
        if (this.connected) this.closing = undefined;
        this.fail(where, (e as Error).message);
        done(false);
      }
    });
    if (r === TIMEOUT) {
      this.client?.drop();
      return this.timedOut(where, 'CONNACK');
    }
    if (r !== CLOSED || this.refusedRc !== undefined) return;
    // Closed without any CONNACK: the broker is unreachable or hung up on us.
    if (this.errors === errors) this.fail(where, 'connection closed before CONNACK');
    return 1;
  }

  private hook(c: ScriptClient): void {
    c.on('connect', (sessionPresent) => {
      this.connected = this.open = true;
      this.emit({ ev: 'connack', rc: 0, sessionPresent });
      this.onConnect?.();
    });
    c.on('message', (topic, payload, p) => {
      this.emit({ ev: 'message', topic, ...payloadField(payload), qos: p.qos, retain: p.retain, dup: p.dup });
    });
    c.on('error', (msg) => {
      // A refused CONNACK reaches us only as the client's error text, which carries "(rc N)".
      const rc = this.onConnect && !this.connected ? /\(rc (\d+)\)/.exec(msg) : null;
      if (rc) {
        this.refusedRc = Number(rc[1]);
        this.open = true;
        this.emit({ ev: 'connack', rc: this.refusedRc, sessionPresent: false });
      }
      this.emit({ ev: 'error', msg });
    });
    c.on('close', (reason) => {
      const how = this.closing ?? 'remote';
      const wasOpen = this.open;
      this.connected = this.open = false;
      this.closing = undefined;
      if (how === 'remote' && wasOpen) this.emit({ ev: 'closed', how, reason });
      else if (how === 'drop' || how === 'disconnect') this.emit({ ev: 'closed', how });
      this.onClose?.();
    });
  }

  private publish(s: PublishStep, where: string): Promise<Outcome> | Outcome {
    const c = this.client;
    if (!c) return this.fail(where, 'no client yet: connect first');
    // Without await the message may sit in the client's queue while offline; with await it must go now.
    if (s.await && !this.connected) return this.fail(where, 'not connected, so no acknowledgement can come');
    const send = (then: () => void) =>
      c.publish(s.topic, s.payload, { qos: s.qos, retain: s.retain }, (err) => {
        this.emit(err ? { ev: 'error', msg: `${where}: ${err}` } : { ev: 'published', topic: s.topic, qos: s.qos });
        then();
      });
    if (s.await) return this.ack(where, s.qos === 2 ? 'PUBCOMP' : s.qos === 1 ? 'PUBACK' : 'write', (done) => send(() => done(() => {})));
    try {
      send(() => {});
    } catch (e) {
      this.fail(where, (e as Error).message);
    }
  }

  /** Runs `send` and waits for its callback; the callback's report is made by `done(report)`. */
  private async ack(where: string, what: string, send: (done: (report: () => void) => void) => void): Promise<Outcome> {
    const r = await this.wait<true>((done) => {
      this.onClose = () => done(CLOSED);
      try {
        send((report) => {
          report();
          done(true);
        });
      } catch (e) {
        this.fail(where, (e as Error).message);
        done(true);
      }
    });
    if (r === TIMEOUT) return this.timedOut(where, what);
    // The broker hung up instead of acknowledging; that may be exactly the behaviour under test.
    if (r === CLOSED) this.fail(where, `connection closed before ${what}`);
  }

  private async close(c: ScriptClient, how: 'drop' | 'disconnect', where: string): Promise<Outcome> {
    this.closing = how;
    const r = await this.wait((done) => {
      this.onClose = () => done(CLOSED);
      if (how === 'drop') c.drop();
      else c.end();
    });
    if (r === TIMEOUT) return this.timedOut(where, 'close');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.o.clock.setTimer(ms, resolve));
  }

  /** Resolves with the first of done(value), a close (if armed) or the script's timeout. */
  private wait<T>(arm: (done: (v: T | typeof CLOSED) => void) => void): Promise<T | typeof CLOSED | typeof TIMEOUT> {
    return new Promise((resolve) => {
      let over = false;
      const finish = (v: T | typeof CLOSED | typeof TIMEOUT) => {
        if (over) return;
        over = true;
        this.o.clock.clearTimer(timer);
        this.onConnect = this.onClose = undefined;
        resolve(v);
      };
      const timer = this.o.clock.setTimer(this.o.script.timeout, () => finish(TIMEOUT));
      arm(finish);
    });
  }
}
