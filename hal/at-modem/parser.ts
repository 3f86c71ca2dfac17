// Splits the modem's output into lines, the data prompt and binary payloads. Reads may cut the
// stream at any byte; payloads are counted, never scanned, so they may hold "\r\nOK\r\n" or "+IPD".
import type { Serial } from './serial.js';

export interface LineHandler {
  /**
   * A line without its CR/LF. The "> " prompt (the modem now takes the payload of a send command)
   * comes as the line ">": it ends no line, and no real line starts with '>', so it cannot be
   * mistaken for one. Returns how many payload bytes follow the line (BG96 "+QSSLRECV: <n>").
   */
  line_(line: string): number | void;
  /** Payload bytes, delivered as they arrive (a frame may come in several pieces). A handler
   * that expects none (the WiFi join: no link is up) leaves it out, and stray ones are dropped. */
  data_?(bytes: string): void;
}

/** A line this long without a newline is noise (a modem rebooting at another baud rate). */
const MAX_LINE = 1024;

/**
 * Reads the serial from now on and hands what comes to handler. Its state lives in the one
 * listener function the serial needs anyway: no object, no methods to load (docs/espruino.md).
 */
export function parseModemOutput(serial: Serial, handler: LineHandler): void {
  /** Bytes read and not yet delivered. */
  let buffer = '';
  /** Payload bytes the current frame still owes. */
  let owed = 0;
  serial.onData((chunk) => {
    // buffer is read again after each handler call: a handler may write to the modem, and a modem
    // that answers at once feeds this listener again from inside that call.
    for (buffer += chunk; buffer; ) {
      if (owed > 0) {
        const bytes = buffer.slice(0, owed);
        buffer = buffer.slice(bytes.length);
        owed -= bytes.length;
        if (handler.data_) handler.data_(bytes);
        continue;
      }
      const first = buffer.charAt(0);
      if (first == '\r' || first == '\n' || first == ' ') {
        buffer = buffer.slice(1);
        continue;
      }
      if (first == '>') {
        buffer = buffer.slice(1);
        handler.line_(first);
        continue;
      }
      const end = buffer.indexOf('\n');
      // ESP8266 "+IPD,<len>:<bytes>": the header ends at ':', not at a newline.
      if (buffer.slice(0, 5) == '+IPD,') {
        const colon = buffer.indexOf(':');
        if (colon > 0 && (end < 0 || colon < end)) {
          owed = parseInt(buffer.substring(5, colon), 10);
          buffer = buffer.slice(colon + 1);
          continue;
        }
      }
      if (end < 0) {
        if (buffer.length > MAX_LINE) buffer = '';
        return;
      }
      let line = buffer.substring(0, end);
      buffer = buffer.slice(end + 1);
      while (line.charAt(line.length - 1) == '\r') line = line.substring(0, line.length - 1);
      owed = handler.line_(line) || 0;
    }
  });
}
