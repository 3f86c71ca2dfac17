// Direct methods: one handler per name; the response carries a status and a JSON body.
import type { Client } from '../mqtt/client.js';
import { type Hook, json, type Sub } from './ctx.js';
import { METHODS_FILTER, methodResTopic, parseMethod } from './topics.js';

export function methods(dev: any, c: Client, o: { qos: 0 | 1 }, s: Sub): Hook {
  const M: any = {};
  dev.onMethod = (name: string, fn: (payload: any, respond: (status: number, body?: any) => void) => void) => {
    M[name] = fn;
    s(METHODS_FILTER);
  };
  return (t, p) => {
    // `POST/{name}/?$rid={rid}`
    const m = parseMethod(t as string), n = m && m.name, r = m && m.rid;
    let done = 0;
    // The hub takes one response per request id; a second call is ignored. An undefined body
    // (JSON.stringify gives undefined) goes as null.
    const res = (st: number, b?: any) => done++ || c.publish(methodResTopic(st, r as string), JSON.stringify(b) || 'null', o);
    // hasOwnProperty: a method called "toString" must not find Object.prototype's.
    if (n && r) M.hasOwnProperty(n) ? M[n](json(p!), res) : res(501, { message: "method '" + n + "' not implemented" });
  };
}
