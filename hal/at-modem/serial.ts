// The UART to the modem, as Espruino exposes it (Serial2.write / Serial2.on('data', fn)).
// Strings are byte strings: one char per byte, char codes 0-255, never UTF-8 text.

export interface Serial {
  write(s: string): void;
  /** Called with whatever bytes arrived; a read may hold part of a line or several lines. */
  onData(fn: (s: string) => void): void;
}
