// Device-to-cloud messages: the property bag (application and system properties such as $.mid,
// $.ct, $.ce) rides in the topic, URL-encoded by propbag.ts.
import type { Client } from '../mqtt/client.js';
import { telemetryTopic } from './topics.js';

export function telemetry(dev: any, c: Client, o: { qos: 0 | 1 }, d: string, md?: string): void {
  dev.send = (body: string | Uint8Array, props?: Record<string, string>, cb?: (err?: string) => void) =>
    c.publish(telemetryTopic(d, md, props), body, o, cb);
}
