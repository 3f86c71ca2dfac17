// The step player of `tinyiot script`, the same code on both engines: Node runs it as it is over the
// emulated HAL; Espruino runs it bundled to ES5 over hal/espruino (espruino-entry.ts). So it is
// written for Espruino's interpreter: callbacks instead of promises, no Symbol, no spread, payloads
// as hex. What happened goes out through emit(), the exit code through done(): 0 when every step
// ran, 1 when an acknowledgement never came or the broker could not be reached, or (with
// plan.stopOnFailure) at the first step that reported an error.
//
// The platform's own words (node:net's "connect ECONNREFUSED ...", Espruino's "Unable to create
// socket") differ between engines, so they travel only in `reason` fields; everything else in an
// event is the player's or the firmware client's, and the same on both.
import type { ClientOptions } from '../../firmware/mqtt/client.js';
import type { Hal } from '../../hal/types.js';
import { fromHex, toHex } from './hex.js';
import type { Plan, PlanStep, QoS } from './plan.js';
import { watchTransport } from './watch.js';

/** What the player reports; the host turns `message` payloads into text or hex (events.ts). */
export type PlayerEvent =
  | { ev: 'connack'; rc: number; sessionPresent: boolean }
  | { ev: 'suback'; codes: number[] }
  | { ev: 'unsuback' }
  | { ev: 'published'; topic: string; qos: QoS }
  | { ev: 'message'; topic: string; payloadHex: string; qos: QoS; retain: boolean; dup: boolean }
  | { ev: 'closed'; how: 'drop' | 'disconnect' | 'remote'; reason?: string }
  | { ev: 'error'; msg: string; reason?: string };

/** The part of the firmware client's options a script sets. */
export type ScriptClientOptions = Pick<ClientOptions, 'host' | 'port' | 'tls' | 'ca' | 'cert' | 'key' | 'clientId' | 'username' | 'clean' | 'reconnect'> & {
  password?: string;
  keepalive: number;
  will?: { topic: string; payload: Uint8Array; qos: QoS; retain: boolean };
  limits?: { ackTimeout?: number };
};

/** The part of the firmware client (firmware/mqtt/client.ts) the player drives. */
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

export interface PlayerOptions {
  plan: Plan;
  /** The platform: its clock times the steps, its transport carries the client's connection. */
  hal: Hal;
  createClient(hal: Hal, opts: ScriptClientOptions): ScriptClient;
  emit(e: PlayerEvent): void;
  /** Called once, with the exit code. */
  done(code: number): void;
}

/**
 * The client's own bound on a reply comes this much after the player's, so that a missing
 * CONNACK, SUBACK or UNSUBACK is always reported by the player, naming the step, on both engines.
 * (It still catches a missing PINGRESP during a wait.)
 */
export const CLIENT_ACK_MARGIN = 100;

// How a wait ended.
const TIMEOUT = 1, CLOSED = 2, ANSWERED = 3;

export function play(o: PlayerOptions): void {
  const plan = o.plan;
  const clock = o.hal.clock;
  let client: ScriptClient | undefined;
  let connected = false;
  // A CONNACK (accepted or refused) came on the current socket, so its close is worth reporting.
  let open = false;
  let closing: 'drop' | 'disconnect' | 'end' | undefined;
  let refusedRc: number | undefined;
  let errors = 0;
  let onConnect: (() => void) | undefined;
  let onClose: (() => void) | undefined;
  const { hal, watch } = watchTransport(o.hal);

  function emit(e: PlayerEvent): void {
    if (e.ev === 'error') errors++;
    o.emit(e);
  }

  function fail(where: string, msg: string, reason?: string): void {
    emit(reason === undefined ? { ev: 'error', msg: where + ': ' + msg } : { ev: 'error', msg: where + ': ' + msg, reason });
  }

  function timedOut(where: string, what: string): number {
    fail(where, 'no ' + what + ' within ' + plan.timeout + ' ms');
    return 1;
  }

  /** then(how) gets the first of: answer() called, the connection closed (once onClose is armed), the timeout. */
  function wait(arm: (answer: (how: number) => void) => void, then: (how: number) => void): void {
    let over = false;
    const timer = clock.setTimer(plan.timeout, () => finish(TIMEOUT));
    function finish(how: number): void {
      if (over) return;
      over = true;
      clock.clearTimer(timer);
      onConnect = onClose = undefined;
      then(how);
    }
    arm(finish);
  }

  function hook(c: ScriptClient): void {
    c.on('connect', (sessionPresent) => {
      connected = open = true;
      emit({ ev: 'connack', rc: 0, sessionPresent });
      if (onConnect) onConnect();
    });
    c.on('message', (topic, payload, p) => {
      emit({ ev: 'message', topic, payloadHex: toHex(payload), qos: p.qos, retain: p.retain, dup: p.dup });
    });
    c.on('error', (msg) => {
      // The platform's words come with the close that follows (the closed event's reason), or
      // with "could not connect".
      if (watch.fromPlatform) return;
      // A refused CONNACK reaches us only as the client's error text, which carries "(rc N)".
      const rc = onConnect && !connected ? /\(rc (\d+)\)/.exec(msg) : null;
      if (rc) {
        refusedRc = Number(rc[1]);
        open = true;
        emit({ ev: 'connack', rc: refusedRc, sessionPresent: false });
      }
      emit({ ev: 'error', msg });
    });
    c.on('close', (reason) => {
      const how = closing || 'remote';
      const wasOpen = open;
      connected = open = false;
      closing = undefined;
      if (how === 'remote' && wasOpen) emit({ ev: 'closed', how, reason });
      else if (how === 'drop' || how === 'disconnect') emit({ ev: 'closed', how });
      if (onClose) onClose();
    });
  }

  function connect(s: PlanStep & { op: 'connect' }, where: string, next: (code: number) => void): void {
    const will = s.will;
    const opts = {
      clientId: s.clientId,
      clean: s.clean,
      keepalive: s.keepalive,
      username: s.username,
      password: s.password,
      will: will ? { topic: will.topic, payload: fromHex(will.payloadHex), qos: will.qos, retain: will.retain } : undefined,
    };
    refusedRc = undefined;
    const errorsBefore = errors;
    wait(
      (answer) => {
        onConnect = () => answer(ANSWERED);
        try {
          if (client) {
            // While connected this is a reconnect: the client sends DISCONNECT and dials again,
            // keeping the session and in-flight messages. That first close is ours: not reported.
            if (connected) closing = 'end';
            client.connect(opts);
          } else {
            const c = o.createClient(hal, {
              host: plan.host,
              port: plan.port,
              tls: plan.tls,
              ca: plan.ca,
              cert: plan.cert,
              key: plan.key,
              clientId: opts.clientId,
              clean: opts.clean,
              keepalive: opts.keepalive,
              username: opts.username,
              password: opts.password,
              will: opts.will,
              limits: { ackTimeout: plan.timeout + CLIENT_ACK_MARGIN },
              reconnect: false,
            });
            hook(c);
            client = c;
            c.connect();
          }
          onClose = () => answer(CLOSED);
        } catch (e) {
          // The client refused to send (e.g. [MQTT-3.1.3-7]) and kept any connection: reported, go on.
          if (connected) closing = undefined;
          fail(where, (e as Error).message);
          answer(ANSWERED);
        }
      },
      (how) => {
        if (how === TIMEOUT) {
          if (client) client.drop();
          return next(timedOut(where, 'CONNACK'));
        }
        if (how !== CLOSED || refusedRc !== undefined) return next(0);
        // Closed without any CONNACK: the broker is unreachable or hung up on us.
        if (!watch.reached) fail(where, 'could not connect to ' + plan.host + ':' + plan.port, watch.said || 'closed');
        else if (errors === errorsBefore) fail(where, 'connection closed before CONNACK');
        next(1);
      },
    );
  }

  /** Runs send(report) and waits for its callback, whose report is made by report(fn). */
  function ack(where: string, what: string, send: (report: (fn: () => void) => void) => void, next: (code: number) => void): void {
    wait(
      (answer) => {
        onClose = () => answer(CLOSED);
        try {
          send((fn) => {
            fn();
            answer(ANSWERED);
          });
        } catch (e) {
          fail(where, (e as Error).message);
          answer(ANSWERED);
        }
      },
      (how) => {
        if (how === TIMEOUT) return next(timedOut(where, what));
        // The broker hung up instead of acknowledging; that may be exactly the behaviour under test.
        if (how === CLOSED) fail(where, 'connection closed before ' + what);
        next(0);
      },
    );
  }

  function publish(s: PlanStep & { op: 'publish' }, where: string, next: (code: number) => void): void {
    const c = client;
    // Without await the message may sit in the client's queue while offline; with await it must go now.
    const refusal = !c ? 'no client yet: connect first' : s.await && !connected ? 'not connected, so no acknowledgement can come' : '';
    if (!c || refusal) {
      fail(where, refusal);
      return next(0);
    }
    const send = (then: () => void) =>
      c.publish(s.topic, fromHex(s.payloadHex), { qos: s.qos, retain: s.retain }, (err) => {
        emit(err ? { ev: 'error', msg: where + ': ' + err } : { ev: 'published', topic: s.topic, qos: s.qos });
        then();
      });
    if (s.await) return ack(where, s.qos === 2 ? 'PUBCOMP' : s.qos === 1 ? 'PUBACK' : 'write', (report) => send(() => report(() => {})), next);
    try {
      send(() => {});
    } catch (e) {
      fail(where, (e as Error).message);
    }
    next(0);
  }

  function close(c: ScriptClient, how: 'drop' | 'disconnect', where: string, next: (code: number) => void): void {
    closing = how;
    wait(
      (answer) => {
        onClose = () => answer(CLOSED);
        if (how === 'drop') c.drop();
        else c.end();
      },
      (ended) => next(ended === TIMEOUT ? timedOut(where, 'close') : 0),
    );
  }

  function step(s: PlanStep, where: string, next: (code: number) => void): void {
    if (s.op === 'connect') return connect(s, where, next);
    if (s.op === 'wait') return void clock.setTimer(s.ms, () => next(0));
    if (s.op === 'publish') return publish(s, where, next);
    const c = client;
    if (!c || !connected) {
      fail(where, 'not connected');
      return next(0);
    }
    if (s.op === 'subscribe') {
      return ack(where, 'SUBACK', (report) =>
        // A filter the broker refused shows as 0x80 in the codes; the client's err just repeats it.
        c.subscribe(s.filters, (err, codes) =>
          report(() => emit(err && !(codes && codes.length) ? { ev: 'error', msg: where + ': ' + err } : { ev: 'suback', codes })),
        ), next);
    }
    if (s.op === 'unsubscribe') {
      return ack(where, 'UNSUBACK', (report) =>
        c.unsubscribe(s.filters, (err) => report(() => emit(err ? { ev: 'error', msg: where + ': ' + err } : { ev: 'unsuback' }))), next);
    }
    close(c, s.op, where, next);
  }

  function end(code: number): void {
    if (connected && client) {
      // DISCONNECT, not a drop: a script that forgot `disconnect` must not make the broker send its will.
      closing = 'end';
      client.end();
    }
    o.done(code);
  }

  // Steps that finish at once run in this loop rather than from each other's callbacks, so a long
  // script cannot grow the stack (Espruino's is small).
  let index = 0;
  function resume(): void {
    while (index < plan.steps.length) {
      const i = index++;
      const s = plan.steps[i]!;
      const errorsBefore = errors;
      let returned = false, finished = false, code = 0;
      step(s, 'step ' + (i + 1) + ' (' + s.op + ')', (c) => {
        if (!c && plan.stopOnFailure && errors > errorsBefore) c = 1;
        if (returned) return c ? end(c) : resume();
        finished = true;
        code = c;
      });
      returned = true;
      if (!finished) return;
      if (code) return end(code);
    }
    end(0);
  }
  resume();
}
