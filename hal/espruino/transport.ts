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
// - One TLS socket at a time: a TLS dial while another of ours is still closing waits for that
//   close (Espruino crashed otherwise: see EspruinoTransport.connect).
// - A failed handshake is not reported as such: Espruino throws mbedTLS's error from its idle loop
//   (an uncaught "mbedtls_ssl_handshake returned -0x7780" on the console) and the socket only ends,
//   with "unsent data" when our first bytes were waiting. That case gets a hint.
import { base64Decode } from '../../firmware/crypto/base64.js';
import type { ConnectOptions, Log, Socket, SocketHandlers, Transport } from '../types.js';
import { toByteString, toBytes } from './bytes.js';
import type { EspruinoEnv } from './env.js';

/** The body of the first PEM block of type t ("CERTIFICATE", "PRIVATE KEY") as DER bytes. */
export function pemToDer(p: string, t: string, env: EspruinoEnv): string {
  const i = p.indexOf(t + '-----');
  if (i < 0) return p; // already DER
  return toByteString(base64Decode(p.slice(i + t.length + 5, p.indexOf('-----END', i)).replace(/\s/g, '')), env.E);
}

/** Why a TLS socket that ended before the server sent a byte may have ended. */
const HINT = ': TLS ended before the server sent anything, as a failed handshake does (Espruino needs an RSA server certificate)';

// Made once: a connection is one EspruinoSocket and no function. Espruino calls a socket's
// listeners with `this` = its socket, which holds its EspruinoSocket as link_, so four listeners
// made once serve every connection.
function onOpen(this: any) {
  const s: EspruinoSocket = this.link_;
  if (!s.state_) s.handlers_.onOpen();
}

function onData(this: any, d: string) {
  const s: EspruinoSocket = this.link_;
  s.heard_ = true;
  if (!s.state_) s.handlers_.onData(toBytes(d, s.transport_.env_.E));
}

function onError(this: any, e: any) {
  (this.link_ as EspruinoSocket).fail_((e && e.message) || String(e));
}

function onClose(this: any) {
  (this.link_ as EspruinoSocket).bye_();
}

class EspruinoSocket implements Socket {
  /** 0 open or opening, 1 closed by us, 2 dead. */
  state_ = 0;
  error_ = '';
  /** Bytes have arrived. */
  heard_ = false;
  /** A TLS socket counted in the transport's tlsOpen_. */
  counted_ = false;
  /** Espruino's socket, 0 when connect() threw or before it is dialled. */
  socket_: any = 0;
  /** Waiting for the transport's previous TLS socket to close (see EspruinoTransport.connect). */
  waiting_ = false;
  /** Goes ahead with the dial should that close never come. */
  waitTimer_ = 0;

  constructor(readonly transport_: EspruinoTransport, readonly handlers_: SocketHandlers, readonly options_: ConnectOptions) {}

  write(b: Uint8Array) {
    if (this.state_ || !this.socket_) return;
    try {
      this.socket_.write(toByteString(b, this.transport_.env_.E));
    } catch (e) {
      // Closed under us: the queued "close" event finishes the job.
    }
  }

  close() {
    if (this.state_) return;
    this.state_ = 1;
    if (this.waiting_) return; // its dial sees state_ and reports the close
    try {
      if (this.socket_) this.socket_.end();
    } catch (e) {
      // already closed: its "close" event is queued
    }
  }

  // Every function costs blocks on the board: the hint for a TLS socket that ended before the
  // server sent anything is added in the two places that need it, and the next waiting dial is
  // found here, not by methods of their own.
  fail_(m: string) {
    if (this.state_ || this.error_) return;
    this.error_ = m == 'unsent data' && this.options_.tls && !this.heard_ ? m + HINT : m;
    this.handlers_.onError(this.error_);
  }

  bye_() {
    const was = this.state_, t = this.transport_;
    if (this.counted_) {
      this.counted_ = false;
      // No TLS socket of ours open now: the oldest waiting dial goes.
      if (!--t.tlsOpen_ && t.waiting_[0]) t.dial_(t.waiting_[0]);
    }
    if (was > 1) return;
    this.state_ = 2;
    this.handlers_.onClose(this.error_ || (was || !this.options_.tls || this.heard_ ? 'closed' : 'closed' + HINT));
  }
}

/** How long a TLS dial waits for the previous TLS socket's close before it goes ahead anyway. */
const CLOSE_WAIT_MS = 3000;

class EspruinoTransport implements Transport {
  private warned_ = false;
  /** Our TLS sockets between tls.connect() and their "close" event. */
  tlsOpen_ = 0;
  /** TLS dials waiting for the previous TLS socket to be gone, oldest first. */
  readonly waiting_: EspruinoSocket[] = [];

  constructor(readonly env_: EspruinoEnv, private readonly log_: Log) {}

  connect(o: ConnectOptions, h: SocketHandlers): Socket {
    const s = new EspruinoSocket(this, h, o);
    if (o.tls && this.tlsOpen_) {
      // One TLS socket at a time: Espruino crashes (SIGSEGV in ssl_getSocketData) when a TLS socket
      // is dialled while one it is still closing has data to send, as on every SAS renewal (the
      // old socket's DISCONNECT, then the new CONNECT). The dial waits for that close, or goes
      // ahead after CLOSE_WAIT_MS should the close never come. A rare path: one closure per wait.
      s.waiting_ = true;
      this.waiting_.push(s);
      s.waitTimer_ = this.env_.setTimeout(() => {
        s.waitTimer_ = 0;
        this.dial_(s);
      }, CLOSE_WAIT_MS);
    } else this.dial_(s);
    return s;
  }

  dial_(s: EspruinoSocket) {
    const env = this.env_, o = s.options_;
    const i = this.waiting_.indexOf(s);
    if (i >= 0) this.waiting_.splice(i, 1);
    if (s.waitTimer_) env.clearTimeout(s.waitTimer_);
    s.waitTimer_ = 0;
    s.waiting_ = false;
    if (s.state_) {
      // Closed by us while it waited: it never dials, and its one onClose comes on a later tick.
      env.setTimeout(() => s.bye_(), 0);
      return;
    }
    try {
      const x: any = { host: o.host, port: o.port };
      if (o.tls) {
        if (!this.warned_) this.log_.warn("espruino: TLS does not verify the server's certificate (Espruino's mbedTLS runs with VERIFY_NONE)");
        this.warned_ = true;
        if (o.ca) x.ca = pemToDer(o.ca, 'CERTIFICATE', env);
        if (o.cert) x.cert = pemToDer(o.cert, 'CERTIFICATE', env);
        if (o.key) x.key = pemToDer(o.key, 'PRIVATE KEY', env);
        // Only while no TLS socket of ours is open: defrag would move its mbedTLS state (header).
        if (!this.tlsOpen_ && env.E && env.E.defrag) env.E.defrag();
      }
      const sk = (s.socket_ = env.require(o.tls ? 'tls' : 'net').connect(x, onOpen));
      sk.link_ = s;
      if (o.tls) {
        s.counted_ = true;
        this.tlsOpen_++;
      }
      sk.on('data', onData);
      sk.on('error', onError);
      sk.on('close', onClose);
    } catch (e: any) {
      const m = (e && e.message) || String(e);
      s.socket_ = 0;
      // A rare path: this one function per failed connect reports it on a later tick.
      env.setTimeout(() => {
        s.fail_(m);
        s.bye_();
      }, 0);
    }
  }
}

export function espruinoTransport(env: EspruinoEnv, log: Log): Transport {
  return new EspruinoTransport(env, log);
}
