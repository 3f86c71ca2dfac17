// The HAL contract: everything firmware may touch of the outside world.
// Firmware imports this file (types only) and nothing else outside firmware/.
// Bytes cross this boundary as Uint8Array; a platform converts at its own edge.

export type TimerId = number;

export interface Clock {
  /** Monotonic milliseconds; only differences matter. */
  now(): number;
  /** Epoch seconds, or 0 while the board does not know the real time (SAS expiry needs it). */
  time(): number;
  /** One-shot timer. Firmware never calls global setTimeout. */
  setTimer(ms: number, fn: () => void): TimerId;
  /** Must accept an id that already fired, was cleared, or 0: firmware disarms without tracking. */
  clearTimer(id: TimerId): void;
}

export interface ConnectOptions {
  host: string;
  port: number;
  /** TLS is the default everywhere; plain TCP is an explicit opt-out. */
  tls: boolean;
  /** PEM text. */
  ca?: string;
  cert?: string;
  key?: string;
  /** Name to verify in the server certificate (defaults to host). */
  servername?: string;
}

export interface SocketHandlers {
  onOpen(): void;
  onData(bytes: Uint8Array): void;
  /** Called once, after which the socket is dead. */
  onClose(reason: string): void;
  /** Never given secrets; a close follows. */
  onError(msg: string): void;
}

export interface Socket {
  write(bytes: Uint8Array): void;
  close(): void;
}

export interface Transport {
  /** Never throws: a refused or failed connect arrives as onError + onClose. */
  connect(opts: ConnectOptions, handlers: SocketHandlers): Socket;
}

/** Small string key/value store (Espruino Storage, a file, memory). Values are binary-safe strings. */
export interface Storage {
  read(key: string): string | undefined;
  write(key: string, value: string): void;
  erase(key: string): void;
}

export interface Crypto {
  hmacSha256(key: Uint8Array, msg: Uint8Array): Uint8Array;
}

export interface Log {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface Io {
  /** Digital output (LED, relay). */
  write(pin: string, value: boolean): void;
  /** Digital input. */
  read(pin: string): boolean;
  /** Analog or sensor read in the board's units (e.g. "temp" in degrees C). */
  sense(name: string): number;
}

/**
 * Text <-> UTF-8 and the byte natives the MQTT codec leans on, by the platform's own means.
 * Firmware does it all in JS where a HAL gives none, which is right on engines whose strings hold
 * UTF-16 (V8, QuickJS, duktape, mujs) but not on Espruino, whose strings are bytes unless marked
 * UTF-8 (String.fromCharCode keeps only the low byte), and where a JS loop over bytes costs tens of
 * thousands of instructions per byte.
 */
export interface Utf8 {
  /** The UTF-8 bytes of s. */
  encode(s: string): Uint8Array;
  /** The text of b, which the caller has checked is valid UTF-8. */
  decode(b: Uint8Array): string;
  /** One character per byte (codes 0-255), or undefined when the platform cannot make it now. */
  byteString?(b: Uint8Array): string | undefined;
  /** The bytes of a byte string (one character per byte), sharing its storage rather than copying it. */
  arrayBufferOf?(s: string): ArrayBuffer;
}

export interface Hal {
  clock: Clock;
  transport: Transport;
  storage: Storage;
  crypto: Crypto;
  log: Log;
  io: Io;
  /** Uniform in [0, 1); injected so backoff jitter is reproducible in tests. */
  random(): number;
  /** Where the platform converts text itself (Espruino); absent, firmware's JS converter is used. */
  utf8?: Utf8;
}
