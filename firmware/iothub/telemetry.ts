// Device-to-cloud messages: the property bag (application and system properties such as $.mid,
// $.ct, $.ce) rides in the topic, URL-encoded by propbag.ts.
import type { Ctx } from './ctx.js';
import { telemetryTopic } from './topics.js';

export function telemetry(x: Ctx, dev: any): void {
  dev.send = (body: string | Uint8Array, props?: Record<string, string>, cb?: (err?: string) => void) =>
    x.c.publish(telemetryTopic(x.d, x.md, props), body, x.o, cb);
}
