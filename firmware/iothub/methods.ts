// Direct methods: one handler per name; the response carries a status and a JSON body.
import { type Ctx, type Hook, json } from './ctx.js';
import { METHODS_FILTER, methodResTopic, parseMethod } from './topics.js';

export function methods(x: Ctx, dev: any): Hook {
  const M: any = {};
  dev.onMethod = (name: string, fn: (payload: any, respond: (status: number, body?: any) => void) => void) => {
    M[name] = fn;
    x.s(METHODS_FILTER);
  };
  return (t, p) => {
    const m = parseMethod(t as string);
    let done = 0;
    // The hub takes one response per request id; a second call is ignored. An undefined body
    // (JSON.stringify gives undefined) goes as null.
    const res = (st: number, b?: any) => done++ || x.c.publish(methodResTopic(st, m!.rid), JSON.stringify(b) || 'null', x.o);
    // hasOwnProperty: a method called "toString" must not find Object.prototype's.
    if (m) M.hasOwnProperty(m.name) ? M[m.name](json(p!), res) : res(501, { message: "method '" + m.name + "' not implemented" });
  };
}
