// Device twin: GET and reported-property PATCH as request/response pairs correlated by $rid, and
// desired-property notifications.
// - A request's answer is awaited for limits.ackTimeout ms counted from the moment the hub has it
//   (PUBACK; the write for QoS 0). A request made offline waits in the outbox like telemetry.
// - 429 (throttled) and 5xx are retried up to 3 times with the same $rid, after backoffMin << try
//   ms plus jitter; other statuses >= 300 fail the request with "twin: status N".
// - The hub sends desired patches only while the device is connected, so the twin is fetched after
//   every connect and a newer desired document goes to the onDesired handler whole (full = true).
import { type Ctx, type Hook, json } from './ctx.js';
import { DESIRED_FILTER, parseDesired, parseTwinRes, TWIN_RES_FILTER, twinTopic } from './topics.js';

interface Req {
  /** PATCH body; '' for GET. */
  b: string;
  f: (err: string | undefined, v?: any) => void;
  /** Retries so far. */
  i: number;
  /** The answer timeout or the retry timer; 0 while the request waits in the outbox. */
  t: number;
}

export function twin(x: Ctx, dev: any): Hook {
  // Keyed by number: a $rid from the wire such as "constructor" finds nothing.
  const ck = x.h.clock, P: Req[] = [], to = x.l.ackTimeout;
  let n = 0, dv = -1, D: any;
  const end = (r: number, err?: string, v?: any) => {
    const e = P[r];
    if (e) ck.clearTimer(e.t), delete P[r], e.f(err, v);
  };
  const send = (r: number, e: Req) => {
    e.t = 0;
    x.c.publish(twinTopic(r, e.b), e.b, x.o, (err) => {
      if (err) end(r, err);
      else if (P[r]) e.t = ck.setTimer(to, () => end(r, 'twin: no answer within ' + to + ' ms'));
    });
  };
  const sub = () => {
    x.s(TWIN_RES_FILTER);
    x.s(DESIRED_FILTER);
  };
  const req = (b: string, f: Req['f']) => {
    sub();
    send(++n, (P[n] = { b, f, i: 0, t: 0 }));
  };

  dev.getTwin = (cb: Req['f']) => req('', cb);
  dev.report = (patch: object, cb?: Req['f']) => req(JSON.stringify(patch), cb || x.e);
  dev.onDesired = (fn: any) => {
    D = fn;
    sub();
  };

  return (t, p) => {
    if (t === 1 && D) {
      req('', (err, tw) => {
        const w = tw && tw.desired, v = w && w.$version;
        x.e(err);
        if (v > dv) D(w, (dv = v), true);
      });
    }
    // end(): every pending request gets its one callback now, not after a later connect.
    if (t === 0) for (const r in P) end(+r, 'twin: ended');
    const s = parseTwinRes(t as string), v = parseDesired(t as string);
    if (s) {
      const r = +s.rid, e = P[r], st = s.status, j = e && (e.b ? s.version : json(p!));
      if (!e) return;
      if ((st == 429 || st >= 500) && e.i < 3) {
        ck.clearTimer(e.t);
        e.t = ck.setTimer((x.l.backoffMin << e.i++) * (1 + x.h.random()), () => send(r, e));
      } else if (st >= 300) end(r, 'twin: status ' + st);
      else if (e.b || j) end(r, undefined, j);
      else end(r, 'twin: bad JSON');
    }
    if (v != null && v > dv && D) {
      const j = json(p!);
      if (j) D(j, (dv = v));
    }
  };
}
