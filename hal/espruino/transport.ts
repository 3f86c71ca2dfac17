// HAL transport over Espruino's net and tls modules (how they behave: docs/espruino.md):
// - connect() can throw at once: DNS is synchronous ("Unable to locate host"), so is socket
//   creation and parsing the TLS certificates; a board without TLS has no "tls" module at all.
//   Every such throw becomes onError + onClose on a later tick, as the contract asks.
// - Events arrive queued, never inside the call that caused them: data as byte strings of at most
//   one chunk (536 bytes, 268 on the ESP8266), an error as {code, message}, then "end" and "close".
// - write() on a socket Espruino has closed throws "This socket is closed.": writes are guarded.
// - TLS (mbedTLS): Espruino's own mbedTLS config (libs/crypto/mbedtls/config.h) has no PEM parser
//   (the documented form is DER, e.g. atob of the base64), so PEM is decoded to DER here. Espruino configures mbedTLS with MBEDTLS_SSL_VERIFY_NONE whether or not a CA is given
//   and sends "mbed TLS Server 1" as the server name: the link is encrypted but the server is not
//   authenticated, and servername cannot be set. The HAL says so once.
// - TLS memory (docs/tls.md): mbedTLS takes its two ~16.7 KB record buffers from the variable store
//   as contiguous blocks. Blocks are not leaked across attempts, but after a few reconnects the
//   store can be too fragmented to hold them ("mbedtls_ssl_setup: Not enough memory", and Espruino
//   then leaks the half-made OS socket). So E.defrag() runs before each TLS connect while none of
//   our TLS sockets is open: defrag moves unlocked flat strings, and an open socket's mbedTLS state
//   is one that mbedTLS points into.
// - A failed handshake is not reported as such: Espruino throws mbedTLS's error from its idle loop
//   (an uncaught "mbedtls_ssl_handshake returned -0x7780" on the console) and the socket only ends,
//   with "unsent data" when our first bytes were waiting. That case gets a hint.
import { base64Decode } from '../../firmware/crypto/base64.js';
import type { Log, Socket, Transport } from '../types.js';
import { toByteString, toBytes } from './bytes.js';
import type { EspruinoEnv } from './env.js';

/** The body of the first PEM block of type t ("CERTIFICATE", "PRIVATE KEY") as DER bytes. */
export function pemToDer(p: string, t: string, env: EspruinoEnv): string {
  const i = p.indexOf(t + '-----');
  if (i < 0) return p; // already DER
  return toByteString(base64Decode(p.slice(i + t.length + 5, p.indexOf('-----END', i)).replace(/\s/g, '')), env.E);
}

const msg = (e: any) => (e && e.message) || String(e);

/** Why a TLS socket that ended before the server sent a byte may have ended. */
const HINT = ': TLS ended before the server sent anything, as a failed handshake does (Espruino needs an RSA server certificate)';

/** How long a TLS dial waits for the previous TLS socket's close before it goes ahead anyway. */
const CLOSE_WAIT_MS = 3000;

export function espruinoTransport(env: EspruinoEnv, log: Log): Transport {
  let warned = 0;
  let tlsOpen = 0; // our TLS sockets between tls.connect() and their "close" event
  // TLS dials waiting for the previous TLS socket to be gone (see "One TLS socket at a time").
  const waiting: (() => void)[] = [];
  const next = () => {
    const dial = waiting.shift();
    if (dial) dial();
  };
  return {
    connect(o, h): Socket {
      let sk: any;
      let st = 0; // 0 open or opening, 1 closed by us, 2 dead
      let err = '';
      let heard = 0; // bytes have arrived
      let counted = 0;
      let queued: (() => void) | 0 = 0;
      let waitTimer = 0;
      const silent = (m: string) => (o.tls && !heard ? m + HINT : m);
      const bye = () => {
        if (counted) {
          counted = 0;
          if (!--tlsOpen) next();
        }
        if (st > 1) return;
        const was = st;
        st = 2;
        h.onClose(err || (was ? 'closed' : silent('closed')));
      };
      const fail = (m: string) => {
        if (st || err) return;
        err = m == 'unsent data' ? silent(m) : m;
        h.onError(err);
      };
      const dial = () => {
        queued = 0;
        if (waitTimer) env.clearTimeout(waitTimer);
        waitTimer = 0;
        if (st) {
          env.setTimeout(bye, 0); // closed by us while it waited
          return;
        }
        try {
          const x: any = { host: o.host, port: o.port };
          if (o.tls) {
            if (!warned++) log.warn("espruino: TLS does not verify the server's certificate (Espruino's mbedTLS runs with VERIFY_NONE)");
            if (o.ca) x.ca = pemToDer(o.ca, 'CERTIFICATE', env);
            if (o.cert) x.cert = pemToDer(o.cert, 'CERTIFICATE', env);
            if (o.key) x.key = pemToDer(o.key, 'PRIVATE KEY', env);
            // Only while no TLS socket of ours is open: defrag would move its mbedTLS state (header).
            if (!tlsOpen && env.E && env.E.defrag) env.E.defrag();
          }
          sk = env.require(o.tls ? 'tls' : 'net').connect(x, () => st || h.onOpen());
          if (o.tls) {
            counted = 1;
            tlsOpen++;
          }
          sk.on('data', (s: string) => {
            heard = 1;
            if (!st) h.onData(toBytes(s, env.E));
          });
          sk.on('error', (e: any) => fail(msg(e)));
          sk.on('close', bye);
        } catch (e) {
          sk = 0;
          const m = msg(e);
          env.setTimeout(() => {
            fail(m);
            bye();
          }, 0);
        }
      };
      if (o.tls && tlsOpen) {
        // One TLS socket at a time: Espruino crashes (SIGSEGV in ssl_getSocketData) when a TLS socket
        // is dialled while one it is still closing has data to send, as on every SAS renewal (the
        // old socket's DISCONNECT, then the new CONNECT). The dial waits for that close, or goes
        // ahead after CLOSE_WAIT_MS should the close never come.
        queued = dial;
        waiting.push(dial);
        waitTimer = env.setTimeout(() => {
          waitTimer = 0;
          const i = waiting.indexOf(dial);
          if (i >= 0) waiting.splice(i, 1);
          dial();
        }, CLOSE_WAIT_MS);
      } else dial();
      return {
        write(b) {
          if (st || !sk) return;
          try {
            sk.write(toByteString(b, env.E));
          } catch (e) {
            // Closed under us: the queued "close" event finishes the job.
          }
        },
        close() {
          if (st) return;
          st = 1;
          if (queued) return; // its dial sees st and reports the close
          try {
            if (sk) sk.end();
          } catch (e) {
            // already closed: its "close" event is queued
          }
        },
      };
    },
  };
}
