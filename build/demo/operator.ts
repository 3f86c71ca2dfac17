// The service side of the demo, done as an operator would through the hub: wait for the device and
// its telemetry, send a cloud-to-device message, change a desired property and watch it come back
// reported, call a direct method. Each step is one check of the summary.
import type { EventEmitter } from 'node:events';
import type { Hub, TelemetryEvent } from '../hub/server.js';
import { type Abort, nextEvent, type Step, within } from './checks.js';

export interface OperatorContext {
  hub: Hub;
  deviceId: string;
  /** Time each step may take, ms. */
  ms: number;
  abort: Abort;
  say(tag: string, msg: string): void;
  /** Telemetry messages received so far. */
  telemetry(): number;
  /** Emits 'pin' {pin, on} for the device's pin writes. */
  device: EventEmitter;
  /** The device checks the hub's certificate (QuickJS on node:tls); Espruino's TLS does not. */
  verifiesHub: boolean;
}

/** Telemetry messages to see before calling the flow "flowing". */
export const TELEMETRY_WANTED = 3;
export const C2D_TEXT = 'hello from the demo';
export const INTERVAL = 2;
export const BLINKS = 3;

interface Reported {
  deviceId: string;
  patch: { interval?: { value?: unknown; ac?: number; av?: number; ad?: string } };
  version: number;
}

export function operatorSteps(c: OperatorContext): Step[] {
  const { hub, deviceId: id, ms, abort } = c;
  return [
    {
      name: 'connected',
      async run() {
        if (!hub.connected(id)) await nextEvent<{ deviceId: string }>(hub, 'connected', (e) => e.deviceId === id, ms, `${id} to connect`, abort);
        return `${id}, MQTT over TLS ${c.verifiesHub ? "with the hub's certificate verified" : "(Espruino's TLS does not verify the hub's certificate)"}`;
      },
    },
    {
      name: 'telemetry flowing',
      async run() {
        const enough = () => c.telemetry() >= TELEMETRY_WANTED;
        try {
          if (!enough()) await nextEvent<TelemetryEvent>(hub, 'telemetry', enough, ms, `${TELEMETRY_WANTED} telemetry messages`, abort);
        } catch (e) {
          throw abort.reason ? e : new Error(`${(e as Error).message} (got ${c.telemetry()})`);
        }
        return () => `${c.telemetry()} messages`;
      },
    },
    {
      name: 'C2D delivered',
      async run() {
        // A QoS 0 subscription is acknowledged inside sendC2d, before its id is known: collect ids.
        const acked = new Set<string>();
        const note = (e: { messageId: string }) => acked.add(e.messageId);
        hub.on('c2d-ack', note);
        try {
          const m = hub.sendC2d(id, Buffer.from(C2D_TEXT));
          const mid = m.mid;
          if (!acked.has(mid)) await nextEvent<{ messageId: string }>(hub, 'c2d-ack', (e) => e.messageId === mid, ms, 'the device to acknowledge the C2D message', abort);
        } finally {
          hub.off('c2d-ack', note);
        }
        c.say('c2d', `sent ${JSON.stringify(C2D_TEXT)} → device acked`);
        return 'acknowledged by the device (PUBACK)';
      },
    },
    {
      name: 'desired applied & reported',
      async run() {
        const v = hub.updateDesired(id, { interval: INTERVAL });
        // The answer needs a round trip over the socket, so listening after the update misses nothing.
        const seen = nextEvent<Reported>(hub, 'reported', (e) => e.deviceId === id && e.patch.interval?.av === v, ms, `the device to report interval for desired version ${v}`, abort);
        const r = (await seen).patch.interval!;
        if (r.ac !== 200 || r.value !== INTERVAL) throw new Error(`the device reported ${JSON.stringify(r)}, not interval=${INTERVAL} with ac 200`);
        const rv = hub.getTwin(id).reported.$version;
        c.say('twin', `desired interval=${INTERVAL} (version ${v}) → reported interval=${String(r.value)}, ac ${r.ac} "${r.ad ?? ''}" (reported version ${rv})`);
        return `interval=${INTERVAL} at desired version ${v}`;
      },
    },
    {
      name: 'method answered',
      async run() {
        let ons = 0;
        let lit = false;
        let pin = '';
        const count = (e: { pin: string; on: boolean }) => {
          if (e.on && !lit) ons++;
          lit = e.on;
          pin = e.pin;
        };
        c.device.on('pin', count);
        try {
          const payload = { times: BLINKS };
          const r = await within(hub.invoke(id, 'blink', payload, ms), ms, 'the device to answer blink', abort);
          c.say('method', `blink ${JSON.stringify(payload)} → ${r.status} ${JSON.stringify(r.payload)}`);
          if (r.status !== 200) throw new Error(`blink answered ${r.status} ${JSON.stringify(r.payload)}`);
          const done = () => ons >= BLINKS && !lit;
          if (!done()) await nextEvent(c.device, 'pin', done, ms, `the LED to blink ${BLINKS} times`, abort);
          c.say('led', `${pin} blinked ${ons} times`);
          return `blink → ${r.status}, LED blinked`;
        } finally {
          c.device.off('pin', count);
        }
      },
    },
  ];
}
