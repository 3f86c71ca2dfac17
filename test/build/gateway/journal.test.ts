// The gateway's durable store on its own: order and acknowledgements survive reopening, the
// per-device bounds hold, the file is emptied once nothing is pending, a torn or damaged line is
// skipped and said, and the file is its owner's alone.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULT_JOURNAL_LIMITS, Journal, type StoredMessage } from '../../../build/gateway/journal.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyiot-journal-'));
  path = join(dir, 'journal.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Appends and waits for the write, as a device's PUBACK does. */
function store(j: Journal, id: string, body: string): Promise<StoredMessage> {
  return new Promise((ok, fail) => {
    const r = j.append(id, `devices/${id}/messages/events/`, Buffer.from(body), false, true, (m, err) => (err ? fail(err) : ok(m)));
    if (r === 'full') fail(new Error('full'));
  });
}

const bodies = (j: Journal, id: string) => j.pending(id).map((m) => m.body.toString());

it('keeps each device in order across a reopen, without what was acknowledged', async () => {
  const j = new Journal(path);
  const a1 = await store(j, 'a', 'a1');
  await store(j, 'b', 'b1');
  await store(j, 'a', 'a2');
  await store(j, 'a', 'a3');
  j.ack('a', a1.seq);
  j.close();
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const again = new Journal(path);
  expect(bodies(again, 'a')).toEqual(['a2', 'a3']);
  expect(bodies(again, 'b')).toEqual(['b1']);
  expect(again.devicesWithPending().sort()).toEqual(['a', 'b']);
  // New messages continue after the stored ones.
  const a4 = await store(again, 'a', 'a4');
  expect(a4.seq).toBeGreaterThan(again.pending('a')[1]!.seq);
  again.close();
});

it('empties the file once everything is acknowledged', async () => {
  const j = new Journal(path);
  const m = await store(j, 'a', 'x');
  expect(statSync(path).size).toBeGreaterThan(0);
  j.ack('a', m.seq);
  j.flush();
  expect(statSync(path).size).toBe(0);
  j.close();
});

it('bounds each device by messages and by bytes, and says full', async () => {
  const j = new Journal(path, { ...DEFAULT_JOURNAL_LIMITS, maxMessagesPerDevice: 2, maxBytesPerDevice: 1000 });
  await store(j, 'a', 'one');
  await store(j, 'a', 'two');
  expect(j.append('a', 't', Buffer.from('three'), false, true, () => {})).toBe('full');
  // Another device has its own bound.
  await store(j, 'b', 'x'.repeat(900));
  expect(j.append('b', 'devices/b/messages/events/', Buffer.alloc(200), false, true, () => {})).toBe('full');
  expect(bodies(j, 'a')).toEqual(['one', 'two']);
  j.close();
});

it('skips a torn last line and a damaged one, saying so', async () => {
  const j = new Journal(path);
  await store(j, 'a', 'kept');
  j.close();
  appendFileSync(path, 'not json\n{"d":"a","s":9,"t":"x","b":"AAAA"'); // a write cut short by a crash
  const lines: string[] = [];
  const again = new Journal(path, undefined, (l) => lines.push(l));
  expect(bodies(again, 'a')).toEqual(['kept']);
  expect(lines.join('\n')).toMatch(/line 2: not a stored message/);
  expect(lines.join('\n')).toMatch(/2 damaged line\(s\) skipped/);
  // The torn line is cut off: what is stored next is a line of its own.
  await store(again, 'a', 'next');
  again.close();
  const last = new Journal(path);
  expect(bodies(last, 'a')).toEqual(['kept', 'next']);
  last.close();
  expect(readFileSync(path, 'utf8')).not.toContain('"s":9');
});

it('rewrites a grown file with only what is pending, keeping the order', async () => {
  const j = new Journal(path, { ...DEFAULT_JOURNAL_LIMITS, compactBytes: 4096 });
  await store(j, 'slow', 'first');
  // A busy device's messages come and go while the slow one's first message waits.
  for (let i = 0; i < 40; i++) j.ack('busy', (await store(j, 'busy', 'x'.repeat(100))).seq);
  await store(j, 'slow', 'second');
  j.flush();
  expect(statSync(path).size).toBeLessThan(4096);
  j.close();
  const again = new Journal(path);
  expect(bodies(again, 'slow')).toEqual(['first', 'second']);
  expect(bodies(again, 'busy')).toEqual([]);
  again.close();
});
