// Device-to-cloud messages: the property bag (application and system properties such as $.mid,
// $.ct, $.ce) rides in the topic, URL-encoded by propbag.ts.
import type { DeviceState } from './ctx.js';
import { telemetryTopic } from './topics.js';

export function send(this: DeviceState, body: string | Uint8Array, props?: Record<string, string>, cb?: (err?: string) => void): void {
  this.client_.publish(telemetryTopic(this.deviceId_, this.moduleId_, props), body, this.publishOptions_, cb);
}
