// What the Espruino HAL takes from the board. On the board the entry passes Espruino's globals
// ({ require: require, getTime: getTime, setTimeout: setTimeout, ... }); tests pass fakes. Nothing in
// hal/espruino reaches for a global itself, so every Espruino API it uses is named here.

/** The subset of Espruino's `E` the HAL uses. */
export interface EspruinoE {
  /** Bytes of a string (or array) as a new Uint8Array, natively. */
  toUint8Array(x: unknown): Uint8Array;
  /** A flat byte string of a Uint8Array, natively; undefined when no flat block of RAM is free. */
  toString(x: unknown): string | undefined;
  getTemperature(): number;
  /** The same bytes as a string marked UTF-8 (its characters are then code points). */
  asUTF8?(s: string): string;
  /** True for a string marked UTF-8. */
  isUTF8?(s: string): boolean;
  /** An ArrayBuffer over the string's own bytes, not a copy. */
  toArrayBuffer?(s: string): ArrayBuffer;
  /** Compacts the variable store so large contiguous blocks are free again; absent on SAVE_ON_FLASH
   * builds. It moves unlocked flat strings, including an open TLS socket's mbedTLS state. */
  defrag?(): void;
  /** The device the JS console is on ("USB", "Bluetooth", "Serial1"...). */
  getConsole?(): string;
  /** Moves the JS console to another device ("LoopbackA" keeps it off a serial link MQTT uses). */
  setConsole?(device: string, options?: { force?: boolean }): void;
}

export interface EspruinoEnv {
  /** Espruino's require: "net", "tls", "Storage", "crypto", "Wifi". */
  require(name: string): any;
  /** Seconds (float): since boot, or since 1970 once setTime/NTP set the clock. */
  getTime(): number;
  setTimeout(fn: () => void, ms: number): number;
  /** On Espruino an unknown id throws and an undefined id clears every timer. */
  clearTimeout(id: number): void;
  E?: EspruinoE;
  /** The UART of an AT modem (e.g. Serial2), or the serial link to tinyiot gateway (e.g. Bluetooth). */
  serial?: any;
  digitalWrite?(pin: string, v: boolean | number): void;
  digitalRead?(pin: string): number;
  analogRead?(pin: string): number;
  /** Console output; default console.log. */
  print?(s: string): void;
  /**
   * The global object. Only the boot line of a build for the simulator on Espruino hands it over
   * (simHost, build/firmware/entry.ts): host-watch.ts finds Espruino's native btoa there.
   */
  global?: Record<string, unknown>;
}
