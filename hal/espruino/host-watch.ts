// The simulator on Espruino's interpreter: the firmware's sockets live inside the interpreter, so
// the host cannot watch them as it does for QuickJS (build/firmware/sim-watch.ts wraps the host's
// transport there). This wrapper reports every connection event on the console instead, as one
// framed line each, and the host feeds them to the same watcher:
//   \x10tinyiot-net <connection number> open|in|out|error|close [base64 bytes or message]
// \x10 starts each line because Espruino's console treats it as "do not echo this line"; the host
// reads only lines that begin with the frame. Only the simulator's build uses it.
import type { Transport } from '../types.js';

export const NET_FRAME = '\x10tinyiot-net ';

/** print: the console; encode: bytes as base64 (Espruino's btoa over a byte string). */
export function hostWatch(t: Transport, print: (s: string) => void, encode: (b: Uint8Array) => string): Transport {
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
