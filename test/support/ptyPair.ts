// A pseudo-terminal pair made by Debian's socat: what a board's serial line looks like to the
// gateway on one end and to the board (a SerialPort in the test) on the other.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { requireBinary } from './binary.js';
import { until } from './wait.js';

/** For describe.skipIf(): socat missing (CI installs it and fails instead). */
export const socat = requireBinary('socat');

export interface PtyPair {
  /** The end the gateway opens (--serial). */
  gatewayEnd: string;
  /** The board's end, opened here. */
  board: SerialPort;
  close(): Promise<void>;
}

export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-pty-'));
  const gatewayEnd = join(dir, 'gateway-tty');
  const boardEnd = join(dir, 'board-tty');
  const pty: ChildProcess = spawn(socat.path!, [`pty,raw,echo=0,link=${gatewayEnd}`, `pty,raw,echo=0,link=${boardEnd}`], { stdio: 'ignore' });
  await until(() => existsSync(gatewayEnd) && existsSync(boardEnd), 'socat to make the pseudo-terminal pair');
  const board = new SerialPort({ path: boardEnd, baudRate: 115200 });
  await new Promise((ok) => board.once('open', ok));
  return {
    gatewayEnd,
    board,
    async close() {
      await new Promise((done) => (board.isOpen ? board.close(done) : done(undefined)));
      pty.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
