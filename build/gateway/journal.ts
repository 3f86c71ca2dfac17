// The gateway's durable store: every device's telemetry waits here, in order, until IoT Hub has
// acknowledged it. One append-only file for all devices (journal.log in the data folder): a
// message is a line {"d":id,"s":seq,"t":topic,"b":base64,"r":retain}, an upstream PUBACK a line
// {"k":id,"s":seq}. Appends made in one turn of the event loop are written together and
// fdatasync'd once (a group commit), so a thousand devices cost one flush, not a thousand; a
// device's QoS 1 PUBACK waits for that flush. Each device is bounded by messages and bytes; a
// full device is told so (append returns 'full') and nothing of it is dropped. When nothing is
// pending the file is emptied; when it grows past its limit it is rewritten with only the
// pending lines (temp file, fsync, rename).
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { FILE_MODE } from '../hub/files.js';

export interface StoredMessage {
  seq: number;
  topic: string;
  body: Buffer;
  retain: boolean;
}

export interface JournalLimits {
  /** Messages one device may have waiting for IoT Hub. */
  maxMessagesPerDevice: number;
  /** Bytes (bodies and topics) one device may have waiting. */
  maxBytesPerDevice: number;
  /** The file is rewritten with only what is pending once it is this big and mostly acknowledged lines. */
  compactBytes: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = { maxMessagesPerDevice: 1000, maxBytesPerDevice: 1024 * 1024, compactBytes: 16 * 1024 * 1024 };

interface DeviceQueue {
  messages: Map<number, StoredMessage>;
  bytes: number;
  nextSeq: number;
}

export class Journal {
  private readonly queues = new Map<string, DeviceQueue>();
  private fd: number;
  private size = 0;
  private buffered: string[] = [];
  private waiting: Array<(err?: Error) => void> = [];
  private mustSync = false;
  private flushQueued = false;

  constructor(readonly path: string, readonly limits: JournalLimits = DEFAULT_JOURNAL_LIMITS, private readonly log: (line: string) => void = () => {}) {
    this.load();
    this.fd = openSync(path, 'a', FILE_MODE);
    this.size = fstatSync(this.fd).size;
  }

  /** The device's waiting messages, oldest first. */
  pending(deviceId: string): StoredMessage[] {
    return [...(this.queues.get(deviceId)?.messages.values() ?? [])];
  }

  /** Devices with something waiting (for the upstream connections to open at start). */
  devicesWithPending(): string[] {
    return [...this.queues].filter(([, q]) => q.messages.size).map(([d]) => d);
  }

  /**
   * Stores a message; `stored` runs once it is on disk (fdatasync'd when `durable`). 'full' when
   * the device is at its limit: nothing is stored and `stored` is not called.
   */
  append(deviceId: string, topic: string, body: Buffer, retain: boolean, durable: boolean, stored: (m: StoredMessage, err?: Error) => void): StoredMessage | 'full' {
    const q = this.queue(deviceId);
    const bytes = body.length + topic.length;
    if (q.messages.size >= this.limits.maxMessagesPerDevice || q.bytes + bytes > this.limits.maxBytesPerDevice) return 'full';
    const m: StoredMessage = { seq: q.nextSeq++, topic, body, retain };
    q.messages.set(m.seq, m);
    q.bytes += bytes;
    this.buffered.push(JSON.stringify({ d: deviceId, s: m.seq, t: topic, b: body.toString('base64'), r: retain ? 1 : 0 }));
    this.mustSync ||= durable;
    this.waiting.push((err) => stored(m, err));
    this.scheduleFlush();
    return m;
  }

  /** IoT Hub acknowledged the message: it leaves the store. */
  ack(deviceId: string, seq: number): void {
    const q = this.queues.get(deviceId);
    const m = q?.messages.get(seq);
    if (!q || !m) return;
    q.messages.delete(seq);
    q.bytes -= m.body.length + m.topic.length;
    this.buffered.push(JSON.stringify({ k: deviceId, s: seq }));
    this.scheduleFlush();
  }

  /** Writes what is buffered now (also done on its own at the end of each event-loop turn). */
  flush(): void {
    this.flushQueued = false;
    const waiting = this.waiting;
    this.waiting = [];
    let err: Error | undefined;
    try {
      if (this.buffered.length) {
        const text = this.buffered.join('\n') + '\n';
        this.buffered = [];
        this.size += writeSync(this.fd, text);
        if (this.mustSync) fdatasyncSync(this.fd);
      }
      this.mustSync = false;
      this.shrink();
    } catch (e) {
      err = new Error(`cannot write ${this.path}: ${(e as Error).message}`);
      this.log(err.message);
    }
    for (const done of waiting) done(err);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private queue(deviceId: string): DeviceQueue {
    let q = this.queues.get(deviceId);
    if (!q) this.queues.set(deviceId, (q = { messages: new Map(), bytes: 0, nextSeq: 1 }));
    return q;
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  private pendingCount(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.messages.size;
    return n;
  }

  /** Empties the file when nothing is pending; rewrites it when it has grown past compactBytes. */
  private shrink(): void {
    if (this.size === 0) return;
    if (this.pendingCount() === 0) {
      ftruncateSync(this.fd, 0);
      this.size = 0;
      return;
    }
    if (this.size < this.limits.compactBytes) return;
    const lines: string[] = [];
    for (const [d, q] of this.queues)
      for (const m of q.messages.values()) lines.push(JSON.stringify({ d, s: m.seq, t: m.topic, b: m.body.toString('base64'), r: m.retain ? 1 : 0 }));
    const text = lines.join('\n') + '\n';
    if (text.length * 2 > this.size) return;
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', FILE_MODE);
    try {
      writeSync(fd, text);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a', FILE_MODE);
    this.size = fstatSync(this.fd).size;
  }

  /** Reads the file back; a torn last line (a crash mid-write) or a damaged line is skipped and logged. */
  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    // A torn last line is cut off, so that the next append starts a line of its own.
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) truncateSync(this.path, Buffer.byteLength(text.slice(0, end)));
    const lines = text.split('\n');
    let bad = 0;
    lines.forEach((line, i) => {
      if (!line) return;
      if (!this.replay(line)) {
        bad++;
        this.log(`${this.path} line ${i + 1}: not a stored message or acknowledgement; skipped`);
      }
    });
    if (bad) this.log(`${this.path}: ${bad} damaged line(s) skipped`);
  }

  private replay(line: string): boolean {
    let r: { d?: unknown; k?: unknown; s?: unknown; t?: unknown; b?: unknown; r?: unknown };
    try {
      r = JSON.parse(line);
    } catch {
      return false;
    }
    if (!r || typeof r !== 'object' || !Number.isSafeInteger(r.s)) return false;
    const seq = r.s as number;
    if (typeof r.k === 'string') {
      const q = this.queues.get(r.k);
      const m = q?.messages.get(seq);
      if (q && m) {
        q.messages.delete(seq);
        q.bytes -= m.body.length + m.topic.length;
      }
      return true;
    }
    if (typeof r.d !== 'string' || typeof r.t !== 'string' || typeof r.b !== 'string') return false;
    const q = this.queue(r.d);
    const m: StoredMessage = { seq, topic: r.t, body: Buffer.from(r.b, 'base64'), retain: r.r === 1 };
    q.messages.set(seq, m);
    q.bytes += m.body.length + m.topic.length;
    q.nextSeq = Math.max(q.nextSeq, seq + 1);
    return true;
  }
}
