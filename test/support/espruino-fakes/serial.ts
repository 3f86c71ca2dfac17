// An Espruino Serial port (e.g. Serial2): setup(baud, {rx, tx, cts}), write(byte string) and
// on("data", fn) with queued delivery. The other end (a modem script in a test) sees what was
// written through onWrite and answers with feed().
import { Emitter, needByteString } from './emitter.js';

export class FakeSerial extends Emitter {
  setups: { baud: number; opts: unknown }[] = [];
  written = '';
  private peer: ((s: string) => void) | undefined;

  setup(baud: number, opts?: unknown): void {
    if (typeof baud !== 'number' || !(baud > 0)) throw new TypeError('Serial.setup: baud must be a positive number');
    this.setups.push({ baud, opts });
  }

  write(s: unknown): void {
    if (!this.setups.length) throw new Error('Serial.write before Serial.setup');
    needByteString(s, 'Serial.write');
    this.written += s;
    this.peer?.(s);
  }

  /** The modem side: called with every write. */
  onWrite(fn: (s: string) => void): void {
    this.peer = fn;
  }

  /** Bytes from the modem, delivered to the board's listeners on a later tick. */
  feed(s: string): void {
    needByteString(s, 'FakeSerial.feed');
    this.emit('data', s);
  }
}
