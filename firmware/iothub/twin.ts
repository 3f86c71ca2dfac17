// Device twin: GET and reported-property PATCH as request/response pairs correlated by $rid, and
// desired-property notifications.
// - A request's answer is awaited for limits.ackTimeout ms counted from the moment the hub has it
//   (PUBACK; the write for QoS 0). A request made offline waits in the outbox like telemetry.
// - 429 (throttled) and 5xx are retried up to 3 times with the same $rid, after backoffMin << try
//   ms plus jitter; other statuses >= 300 fail the request with "twin: status N".
// - The hub sends desired patches only while the device is connected, so with an onDesired handler
//   the twin is fetched after every connect (and at once if the handler comes while connected), and
//   a newer desired document goes to the handler whole (full = true). Without a handler nothing is
//   fetched: the fetch would only feed the handler, since nothing is cached here; getTwin() always
//   asks the hub, so it never answers with a document from before a reconnect.
import type { Hal } from '../../hal/types.js';
import type { Client } from '../mqtt/client.js';
import type { Limits } from '../mqtt/limits.js';
import { type Hook, json, type Sub, type Warn } from './ctx.js';
import { DESIRED_FILTER, parseDesired, parseTwinRes, TWIN_RES_FILTER, twinTopic } from './topics.js';

type Cb = (err: string | undefined, v?: any) => void;

export function twin(dev: any, c: Client, o: { qos: 0 | 1 }, s: Sub, w: Warn, h: Hal, l: Limits): Hook {
  // Pending requests by number, each a function taking its reply (none at end()). Keyed by
  // number: a $rid from the wire such as "constructor" finds nothing.
  const ck = h.clock, P: ((st?: number, v?: number, p?: Uint8Array) => void)[] = [], to = l.ackTimeout;
  let n = 0, dv = -1, D: any;
  const sub = () => {
    s(TWIN_RES_FILTER);
    s(DESIRED_FILTER);
  };
  const req = (b: string, f: Cb) => {
    // tm: the answer timeout or the retry timer, 0 while the request waits in the outbox.
    const r = ++n;
    let i = 0, tm = 0;
    // Once: a publish error can still come after end() or a timeout settled the request.
    const fin: Cb = (err, v) => {
      if (P[r]) ck.clearTimer(tm), delete P[r], f(err, v);
    };
    const send = () => {
      tm = 0;
      c.publish(twinTopic(r, b), b, o, (err) => {
        if (err) fin(err);
        else if (P[r]) tm = ck.setTimer(to, () => fin('twin: no answer within ' + to + ' ms'));
      });
    };
    sub();
    // st: the reply's status (none at end()), v: its $version.
    P[r] = (st, v, p) => {
      let j;
      if (!st) fin('twin: ended');
      else if ((st == 429 || st >= 500) && i < 3) {
        ck.clearTimer(tm);
        tm = ck.setTimer((l.backoffMin << i++) * (1 + h.random()), send);
      } else if (st >= 300) fin('twin: status ' + st);
      else if (b) fin(undefined, v);
      else (j = json(p!)) ? fin(undefined, j) : fin('twin: bad JSON');
    };
    send();
  };

  dev.getTwin = (cb: Cb) => req('', cb);
  dev.report = (patch: object, cb?: Cb) => req(JSON.stringify(patch), cb || w);
  // The whole desired document, delivered if newer than what the handler has seen.
  const get = () =>
    req('', (err, tw) => {
      const d = tw && tw.desired, nv = d && d.$version;
      w(err);
      if (nv > dv) D(d, (dv = nv), true);
    });
  dev.onDesired = (fn: any) => {
    D = fn;
    sub();
    if (c.connected) get();
  };

  return (t, p) => {
    // Replies are `res/{status}/?$rid=..[&$version=n]`, patches `desired/?$version=n`; a reply
    // with a $version that is not a whole number is no reply at all (parseTwinRes gives null).
    const x = parseTwinRes(t as string), q = x && P[+x.rid], dn = parseDesired(t as string);
    let j;
    if (t === 1 && D) get();
    // end(): every pending request gets its one callback now, not after a later connect.
    if (t === 0) for (const r in P) P[r]!();
    if (q) q(x.status, x.version, p);
    if (dn != null && dn > dv && D && (j = json(p!))) D(j, (dv = dn));
  };
}
