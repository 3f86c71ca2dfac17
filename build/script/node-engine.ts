// `--engine node`: the step player in this process, on the firmware's MQTT client over the
// simulator's HAL (node:net and node:tls, certificates verified).
import { createClient } from '../../firmware/mqtt/client.js';
import { createEmulatedHal, stderrLog } from '../../hal/emulated/index.js';
import { present, type Emit } from './events.js';
import type { Plan } from './plan.js';
import { play } from './player.js';

export function playOnNode(plan: Plan, emit: Emit): Promise<number> {
  // Client logs on stderr, warnings only, so stdout stays pure JSON.
  const hal = createEmulatedHal({ log: stderrLog('warn') });
  return new Promise((done) => play({ plan, hal, createClient, emit: (e) => emit(present(e)), done }));
}
