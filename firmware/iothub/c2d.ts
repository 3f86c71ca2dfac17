// Cloud-to-device messages, with their property bag decoded. Modules have no C2D queue at the hub.
import type { Hook, Sub } from './ctx.js';
import { c2dFilter, parseC2d } from './topics.js';

export function c2d(dev: any, s: Sub, d: string, md?: string): Hook {
  let f: any;
  dev.onC2d = (fn: (body: Uint8Array, props: Record<string, string | null>) => void) => {
    if (md) throw new Error('iothub: modules get no cloud-to-device messages');
    f = fn;
    s(c2dFilter(d));
  };
  return (t, p) => {
    const b = f && parseC2d(t as string, d);
    if (b) f(p, b);
  };
}
