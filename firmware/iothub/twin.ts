// Device twin: GET and reported-property PATCH as request/response pairs correlated by $rid, and
// desired-property notifications.
// - A request's answer is awaited for limits.ackTimeout ms counted from the moment the hub has it
//   (PUBACK; the write for QoS 0). A request made offline waits in the outbox like telemetry.
// - 429 (throttled) and 5xx are retried up to 3 times with the same $rid, after backoffMin << try
//   ms plus jitter; other statuses >= 300 fail the request with "twin: status N".
// - The hub sends desired patches only while the device is connected, so the twin is fetched after
//   every connect and a newer desired document goes to the onDesired handler whole (full = true).
import type { Ctx } from './device.js';
import { DESIRED_FILTER, parseDesired, parseTwinRes, TWIN_RES_FILTER, twinGetTopic, twinPatchTopic } from './topics.js';

interface Req {
  /** PATCH body; '' for GET. */
  b: string;
  f: (err: string | undefined, v?: any) => void;
  /** Retries so far. */
  i: number;
  t: number;
}

export function twin(x: Ctx, dev: any): void {
  // Keyed by number: a $rid from the wire such as "constructor" finds nothing.
  const ck = x.h.clock, P: Req[] = [], to = x.l.ackTimeout;
  let n = 0, dv = -1, D: any;
  const clr = (e: Req) => e.t && ck.clearTimer(e.t);
  const end = (r: number, err?: string, v?: any) => {
    const e = P[r];
    if (!e) return;
    clr(e);
    delete P[r];
    e.f(err, v);
  };
  const send = (r: number, e: Req) => {
    e.t = 0;
    x.c.publish(e.b ? twinPatchTopic(r) : twinGetTopic(r), e.b, { qos: x.q }, (err) => {
      if (err) return end(r, err);
      if (P[r]) e.t = ck.setTimer(to, () => end(r, 'twin: no answer within ' + to + ' ms'));
    });
  };
  const req = (b: string, f: Req['f']) => {
    x.s(TWIN_RES_FILTER);
    x.s(DESIRED_FILTER);
    send(++n, (P[n] = { b, f, i: 0, t: 0 }));
  };
  const full = (err?: string, tw?: any) => {
    const v = tw && tw.desired && tw.desired.$version;
    if (err) x.e('error', err);
    else if (v > dv) D(tw.desired, (dv = v), true);
  };

  dev.getTwin = (cb: Req['f']) => req('', cb);
  dev.report = (patch: object, cb?: Req['f']) => req(JSON.stringify(patch), cb || ((e) => e && x.e('error', e)));
  dev.onDesired = (fn: any) => {
    D = fn;
    x.s(TWIN_RES_FILTER);
    x.s(DESIRED_FILTER);
  };
  x.k.push(() => D && req('', full));
  // end(): every pending request gets its one callback now, not after a later connect.
  x.z.push(() => {
    for (const r in P) end(+r, 'twin: ended');
  });

  x.m.push((t, p) => {
    const s = parseTwinRes(t);
    if (s) {
      const r = +s.rid, e = P[r], st = s.status;
      if (!e) return 1;
      if ((st == 429 || st >= 500) && e.i < 3) {
        clr(e);
        e.t = ck.setTimer((x.l.backoffMin << e.i++) * (1 + x.h.random()), () => send(r, e));
      } else if (st >= 300) end(r, 'twin: status ' + st);
      else if (e.b) end(r, undefined, s.version);
      else {
        const j = x.j(p);
        j ? end(r, undefined, j) : end(r, 'twin: bad JSON');
      }
      return 1;
    }
    const v = parseDesired(t);
    if (v == null) return;
    const j = x.j(p);
    if (j && v > dv && D) D(j, (dv = v));
    return 1;
  });
}
