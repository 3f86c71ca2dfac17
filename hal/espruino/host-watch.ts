// The simulator on Espruino's interpreter: the firmware's sockets live inside the interpreter, so
// the host cannot watch them as it does for QuickJS (build/firmware/sim-watch.ts wraps the host's
// transport there). This wrapper reports every connection event on the console instead, one framed
// line each, and the host feeds them to the same watcher:
//   \x10tinyiot-net <connection number> open|in|out|error|close [base64 bytes or message]
// The DLE byte (0x10) starts no line the firmware's log prints, so the host picks these out of the
// console's output without guessing. Only the simulator's build uses it (EntryOptions.simHost).
import type { Transport } from '../types.js';
import { toByteString } from './bytes.js';
import type { EspruinoEnv } from './env.js';

export const NET_FRAME = '\x10tinyiot-net ';

/** env.global.btoa (Espruino's native base64) encodes the bytes; env.print writes the lines. */
export function hostWatch(t: Transport, env: EspruinoEnv): Transport {
  const print = env.print || console.log;
  const btoa = env.global!.btoa as (s: string) => string;
  const encode = (b: Uint8Array) => btoa(toByteString(b, env.E));
  let count = 0;
  return {
    connect(o, h) {
      const n = ++count;
      const say = (what: string, rest?: string) => print(NET_FRAME + n + ' ' + what + (rest ? ' ' + rest : ''));
      const s = t.connect(o, {
        onOpen() {
          say('open');
          h.onOpen();
        },
        onData(b) {
          say('in', encode(b));
          h.onData(b);
        },
        onError(m) {
          say('error', m);
          h.onError(m);
        },
        onClose(r) {
          say('close', r);
          h.onClose(r);
        },
      });
      return {
        write(b) {
          say('out', encode(b));
          s.write(b);
        },
        close: () => s.close(),
      };
    },
  };
}
