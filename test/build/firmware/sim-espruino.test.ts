import { describe, expect, it } from 'vitest';
import { IO_FRAME, lineRouter, NET_FRAME } from '../../../build/firmware/sim-espruino.js';
import { connectionWatch } from '../../../build/firmware/sim-watch.js';

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
const CONNACK_OK = [0x20, 2, 0, 0];
const CONNACK_5 = [0x20, 2, 0, 5];

function rig() {
  const seen = { logs: [] as string[], pins: [] as string[], errors: [] as string[], memory: [] as number[] };
  const watch = connectionWatch();
  const route = lineRouter(
    {
      hooks: {
        log: (l, m) => seen.logs.push(`${l}: ${m}`),
        pin: (p, on) => seen.pins.push(`${p}=${on}`),
        error: (m) => seen.errors.push(m),
      },
      watch,
    },
    (n) => seen.memory.push(n),
  );
  return { seen, watch, route };
}

describe('lineRouter: what the firmware on Espruino prints, to the simulator hooks', () => {
  it('feeds connection lines to the watcher: an accepted CONNACK is "connected"', () => {
    const { watch, route } = rig();
    route(`${NET_FRAME}1 open`);
    route(`${NET_FRAME}1 out ${b64([0x10, 0])}`);
    route(`${NET_FRAME}1 in ${b64(CONNACK_OK)}`);
    expect(watch.seen.connected).toBe(true);
    expect(watch.failures).toBe(0);
  });
  it('a refused CONNACK and a connection that failed before it opened count as failures, with the reason', () => {
    const { watch, route } = rig();
    route(`${NET_FRAME}1 open`);
    route(`${NET_FRAME}1 in ${b64(CONNACK_5)}`);
    route(`${NET_FRAME}1 close closed`);
    expect(watch.failures).toBe(1);
    expect(watch.problem).toContain('CONNACK 5: not authorized');
    route(`${NET_FRAME}2 error Unable to locate host`);
    route(`${NET_FRAME}2 close closed`);
    expect(watch.failures).toBe(2);
    expect(watch.attempts).toBe(2);
    expect(watch.problem).toBe('Unable to locate host');
  });
  it('pins, memory, log levels and uncaught errors (stack lines dropped)', () => {
    const { seen, route } = rig();
    route(`${IO_FRAME}{"pin":"B2","value":true}`);
    route(`${IO_FRAME}not json`);
    route('\x10tinyiot-mem 812');
    route('info: mqtt-blink: connected');
    route('warn: espruino: TLS does not verify');
    route('Uncaught Error: boom');
    route('    at w (.bootcde:0:4437)');
    route('var a=1;function w(){throw new Error("boom")}');
    route('                   ^');
    route('info: after the error');
    route('>');
    route('something else');
    expect(seen.pins).toEqual(['B2=true']);
    expect(seen.memory).toEqual([812]);
    expect(seen.errors).toEqual(['Uncaught Error: boom']);
    expect(seen.logs).toEqual([
      'warn: unreadable io line from the firmware: not json',
      'info: mqtt-blink: connected',
      'warn: espruino: TLS does not verify',
      'info: after the error',
      'info: something else',
    ]);
  });
});
