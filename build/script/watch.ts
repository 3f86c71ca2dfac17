// The HAL as the player hands it to the client, with its transport watched: whether the socket
// being dialled opened, what the platform said last, and whether the client's 'error' being
// handled right now is the platform's (a socket error) rather than the client's own. Plain ES5.
import type { Hal } from '../../hal/types.js';

export interface Watch {
  /** The socket of the last dial opened. */
  reached: boolean;
  /** The platform's last error on that socket. */
  said: string | undefined;
  /** True only while the client handles a socket error. */
  fromPlatform: boolean;
}

export function watchTransport(h: Hal): { hal: Hal; watch: Watch } {
  const watch: Watch = { reached: false, said: undefined, fromPlatform: false };
  const transport: Hal['transport'] = {
    connect(opts, on) {
      watch.reached = false;
      watch.said = undefined;
      return h.transport.connect(opts, {
        onOpen() {
          watch.reached = true;
          on.onOpen();
        },
        onData(b) {
          on.onData(b);
        },
        onError(m) {
          watch.said = m;
          watch.fromPlatform = true;
          on.onError(m);
          watch.fromPlatform = false;
        },
        onClose(r) {
          on.onClose(r);
        },
      });
    },
  };
  return { hal: { clock: h.clock, transport, storage: h.storage, crypto: h.crypto, log: h.log, io: h.io, random: h.random }, watch };
}
