import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { type PtyPair, ptyPair, socat } from './ptyPair.js';
import { until } from './wait.js';

describe.skipIf(socat.missing)('ptyPair', () => {
  let pair: PtyPair;
  let other: SerialPort;
  beforeAll(async () => {
    pair = await ptyPair();
    other = new SerialPort({ path: pair.gatewayEnd, baudRate: 115200 });
    await new Promise((ok) => other.once('open', ok));
  });
  afterAll(async () => {
    await new Promise((done) => other.close(done));
    await pair.close();
  });

  it('carries bytes from the board end to the gateway end unchanged', async () => {
    let got = Buffer.alloc(0);
    other.on('data', (b: Buffer) => (got = Buffer.concat([got, b])));
    const bytes = Buffer.from([0x10, 0x00, 0xff, 0x0d, 0x0a, 0x11]);
    pair.board.write(bytes);
    await until(() => got.length === bytes.length, 'the bytes at the other end');
    expect(got).toEqual(bytes);
  });
});
