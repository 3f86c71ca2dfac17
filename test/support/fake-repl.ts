// A fake Espruino board on a loopback TCP port, speaking enough of the REPL for EspruinoTools
// (`espruino -p tcp://127.0.0.1:PORT`) to connect and upload: it echoes typed lines (not those
// starting with DLE 0x10, Espruino's "echo off for this line"), treats ESC+LF as a newline that does
// not execute, answers every executed line and a Ctrl-C with the '>' prompt, and evaluates each
// statement in a small sandbox holding Espruino's Storage (write with offset/size, read, list,
// erase), atob, print, reset, load and process.env. What the tools uploaded can then be read back
// from `storage`. Everything received is recorded byte for byte.
import * as net from 'node:net';
import { runInNewContext } from 'node:vm';

export interface FakeReplOptions {
  /** process.env as the board reports it. */
  env?: Record<string, unknown>;
  /** Accept connections but never answer (a board that is off or busy). */
  silent?: boolean;
}

export interface FakeRepl {
  port: number;
  /** Every byte received, as a byte string. */
  received(): string;
  /** Lines the board executed (after the control characters were handled). */
  executed: string[];
  /** Storage files, name -> byte string. */
  storage: Map<string, string>;
  /** Files load()ed, in order. */
  loaded: string[];
  /** Errors the sandbox threw for executed lines. */
  errors: string[];
  close(): Promise<void>;
}

export const defaultEnv = {
  VERSION: '2v24',
  GIT_COMMIT: 'fake',
  BOARD: 'ESP32',
  RAM: 524288,
  SERIAL: 'fake',
  CONSOLE: 'Telnet',
  MODULES: 'Flash,Storage,net,tls,crypto,Wifi',
  EXPTR: 0,
};

export async function startFakeRepl(opts: FakeReplOptions = {}): Promise<FakeRepl> {
  const env = { ...defaultEnv, ...opts.env };
  const storage = new Map<string, string>();
  const executed: string[] = [];
  const loaded: string[] = [];
  const errors: string[] = [];
  let all = '';
  const sockets = new Set<net.Socket>();

  const StorageApi = {
    write(name: string, data: string, offset?: number, size?: number): boolean {
      const old = storage.get(name) ?? '';
      if (size !== undefined) storage.set(name, data.padEnd(size, '\xff'));
      else if (offset === undefined) storage.set(name, data);
      else storage.set(name, old.slice(0, offset) + data + old.slice(offset + data.length));
      return true;
    },
    read: (name: string) => storage.get(name),
    erase: (name: string) => storage.delete(name),
    list: () => [...storage.keys()],
  };

  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let line = '';
    let out: string[] = [];
    const sandbox = {
      require: (m: string) => {
        if (m === 'Storage') return StorageApi;
        throw new Error(`Module ${m} not found`);
      },
      atob: (b: string) => Buffer.from(b, 'base64').toString('latin1'),
      btoa: (t: string) => Buffer.from(t, 'latin1').toString('base64'),
      print: (...a: unknown[]) => out.push(a.map(String).join(' ')),
      reset: () => undefined,
      load: (f?: string) => loaded.push(f ?? '.bootcde'),
      echo: () => undefined,
      setTime: () => undefined,
      process: { env },
    };
    const exec = (text: string) => {
      executed.push(text);
      out = [];
      let shown = '';
      try {
        const v = text.trim() ? runInNewContext(text, sandbox, { timeout: 1000 }) : undefined;
        shown = out.length ? out.map((l) => l + '\r\n').join('') : `=${v === undefined ? 'undefined' : JSON.stringify(v)}\r\n`;
      } catch (e) {
        errors.push(`${(e as Error).message} in ${text.slice(0, 80)}`);
        shown = `Uncaught ${(e as Error).message}\r\n`;
      }
      s.write('\r\n' + shown + '>');
    };
    s.on('data', (b: Buffer) => {
      const d = b.toString('latin1');
      all += d;
      if (opts.silent) return;
      for (let i = 0; i < d.length; i++) {
        const c = d[i]!;
        if (c === '\x03') {
          line = '';
          s.write('\r\n>');
        } else if (c === '\x1b' && d[i + 1] === '\n') {
          line += '\n';
          i++;
        } else if (c === '\n') {
          const text = line.replace(/\x10/g, '').replace(/\r/g, '');
          const quiet = line.startsWith('\x10');
          if (!quiet) s.write(line + '\r\n');
          line = '';
          exec(text);
        } else {
          line += c;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received: () => all,
    executed,
    storage,
    loaded,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
