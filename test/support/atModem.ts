// Shared pieces of the at-modem profile tests: a rig on a virtual clock, a peer that keeps what it
// gets, and reproducible binary noise.
import { VirtualClock } from '../../hal/emulated/clock.js';
import { echoDialer, memoryDialer, type PeerConn } from '../../hal/emulated/fake-modem-dial.js';
import { atRig } from '../../hal/emulated/fake-modem-rig.js';
import type { Dialer, FakeModemOptions } from '../../hal/emulated/fake-modem.js';
import { arrayLog } from '../../hal/emulated/log.js';

/** The transport for `profile` wired to a FakeModem, with its clock and log. */
export function virtualRig(
  profile: 'esp8266' | 'bg96',
  o: Partial<FakeModemOptions> & { timeoutMs?: number } = {},
  dial: Dialer = echoDialer(),
) {
  const clock = new VirtualClock();
  const log = arrayLog();
  const r = atRig(profile, { clock, dial, log, ...o });
  return { ...r, clock, log };
}

/** A peer that keeps what it gets and lets the test talk and hang up. */
export function captive() {
  const got: string[] = [];
  const conns: PeerConn[] = [];
  const dial = memoryDialer((c) => {
    conns.push(c);
    return { data: (d) => got.push(d) };
  });
  return { dial, got: () => got.join(''), conn: () => conns[conns.length - 1]!, reqs: () => conns.map((c) => c.req) };
}

/** n bytes (as a byte string) from a small LCG: every byte value, the same for the same seed. */
export function noise(n: number, seed: number): string {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += String.fromCharCode((x >> 16) & 255);
  }
  return s;
}
