// Splits the modem's output into lines, the data prompt and binary payloads. Reads may cut the
// stream at any byte; payloads are counted, never scanned, so they may hold "\r\nOK\r\n" or "+IPD".

export interface ParserHandlers {
  /** A line without its CR/LF. Returns how many payload bytes follow it (BG96 "+QSSLRECV: <n>"). */
  line(l: string): number | void;
  /** The "> " prompt: the modem now takes the payload of a send command. It ends no line. */
  prompt(): void;
  /** Payload bytes, delivered as they arrive (a frame may come in several pieces). */
  data(d: string): void;
}

/** A line this long without a newline is noise (a modem rebooting at another baud rate). */
const MAX_LINE = 1024;

export function createParser(h: ParserHandlers): (s: string) => void {
  let b = '';
  let n = 0; // payload bytes still owed by the current frame
  return (s) => {
    b += s;
    while (b) {
      if (n > 0) {
        const d = b.slice(0, n);
        b = b.slice(d.length);
        n -= d.length;
        h.data(d);
        continue;
      }
      const c = b.charAt(0);
      if (c == '\r' || c == '\n' || c == ' ') {
        b = b.slice(1);
        continue;
      }
      if (c == '>') {
        b = b.slice(1);
        h.prompt();
        continue;
      }
      const e = b.indexOf('\n');
      // ESP8266 "+IPD,<len>:<bytes>": the header ends at ':', not at a newline.
      if (b.slice(0, 5) == '+IPD,') {
        const k = b.indexOf(':');
        if (k > 0 && (e < 0 || k < e)) {
          n = parseInt(b.substring(5, k), 10);
          b = b.slice(k + 1);
          continue;
        }
      }
      if (e < 0) {
        if (b.length > MAX_LINE) b = '';
        return;
      }
      let l = b.substring(0, e);
      b = b.slice(e + 1);
      while (l.charAt(l.length - 1) == '\r') l = l.substring(0, l.length - 1);
      n = h.line(l) || 0;
    }
  };
}
