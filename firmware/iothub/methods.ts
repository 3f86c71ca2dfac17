// Direct methods: one handler per name; the response carries a status and a JSON body.
import type { Ctx } from './device.js';
import { METHODS_FILTER, methodResTopic, parseMethod } from './topics.js';

export function methods(x: Ctx, dev: any): void {
  const M: any = {};
  dev.onMethod = (name: string, fn: (payload: any, respond: (status: number, body?: any) => void) => void) => {
    M[name] = fn;
    x.s(METHODS_FILTER);
  };
  x.m.push((t, p) => {
    const m = parseMethod(t);
    if (!m) return;
    let done = 0;
    // The hub takes one response per request id; a second call is ignored.
    const res = (st: number, b?: any) =>
      done++ || x.c.publish(methodResTopic(st, m.rid), JSON.stringify(b === undefined ? null : b), { qos: x.q });
    // hasOwnProperty: a method called "toString" must not find Object.prototype's.
    if (M.hasOwnProperty(m.name)) M[m.name](x.j(p), res);
    else res(501, { message: "method '" + m.name + "' not implemented" });
    return 1;
  });
}
