// Cloud-to-device messages, with their property bag decoded. Modules have no C2D queue at the hub.
import type { Ctx, Hook } from './ctx.js';
import { c2dFilter, parseC2d } from './topics.js';

export function c2d(x: Ctx, dev: any): Hook {
  let f: any;
  dev.onC2d = (fn: (body: Uint8Array, props: Record<string, string | null>) => void) => {
    if (x.md) throw new Error('iothub: modules get no cloud-to-device messages');
    f = fn;
    x.s(c2dFilter(x.d));
  };
  return (t, p) => {
    const b = f && parseC2d(t as string, x.d);
    if (b) f(p, b);
  };
}
