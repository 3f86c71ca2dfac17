// Reconnect delay with "full jitter": uniform in [0, min(max, min * 2^attempt)), so a fleet of
// boards that lost the same broker does not come back in lockstep. The client counts attempts and
// resets the count after an accepted CONNACK.
import type { Limits } from './limits.js';

export function delay(attempt: number, l: Limits, random: () => number): number {
  return random() * Math.min(l.backoffMax, l.backoffMin * Math.pow(2, attempt));
}
