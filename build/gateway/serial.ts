// A serial line (UART, USB, or a BLE UART bridged to a tty) carrying the same MQTT packets as a
// socket, opened with the `serialport` package. A serial line has no connection to close: when a
// session ends (DISCONNECT, keepalive, a refused CONNECT) the line stays open and a fresh session
// waits for the board's next CONNECT. A line that fails (the adapter unplugged) is reopened every
// few seconds until the gateway stops.
import { SerialPort } from 'serialport';
import type { Line, Listener } from './session.js';

export interface SerialLine {
  readonly path: string;
  close(): Promise<void>;
}

const REOPEN_MS = 3000;

/** Opens `path` and hands each session's view of it to `attach`; resolves once the port is open. */
export async function openSerialLine(path: string, baudRate = 115200, attach: (line: Line) => void, log: (line: string) => void): Promise<SerialLine> {
  let closing = false;
  let port: SerialPort;
  let reopen: NodeJS.Timeout | undefined;

  const session = (): void => {
    if (closing || !port.isOpen) return;
    let ended = false;
    attach({
      persistent: true,
      on: (ev: string, fn: Listener) => port.on(ev, fn),
      off: (ev: string, fn: Listener) => port.off(ev, fn),
      write: (b: Buffer) => port.write(b),
      // The next board session starts on the same line once this one has let go of it.
      end: () => {
        if (ended) return;
        ended = true;
        setImmediate(session);
      },
    } as Line);
  };

  const open = (): Promise<void> =>
    new Promise((ok, fail) => {
      port = new SerialPort({ path, baudRate, autoOpen: false });
      port.on('close', () => {
        if (closing) return;
        log(`serial ${path}: closed; reopening`);
        reopen = setTimeout(() => open().catch((e: Error) => log(`serial ${path}: ${e.message}`)), REOPEN_MS);
      });
      port.on('error', (e: Error) => log(`serial ${path}: ${e.message}`));
      port.open((err) => {
        if (err) return fail(new Error(`cannot open serial line ${path}: ${err.message}`));
        log(`serial ${path}: open at ${baudRate} baud`);
        session();
        ok();
      });
    });

  await open();
  return {
    path,
    close: () =>
      new Promise<void>((done) => {
        closing = true;
        clearTimeout(reopen);
        if (!port.isOpen) return done();
        port.close(() => done());
      }),
  };
}
