import { describe, expect, it } from 'vitest';
import { describeStep } from '../../../build/commands/demo.js';
import { runCli } from '../cliRun.js';

describe('tinyiot demo', () => {
  it('plays the demo script over TLS against its embedded broker and exits 0', async () => {
    const r = await runCli(['demo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/broker listening on 127\.0\.0\.1:\d+ \(TLS/);
    expect(r.stdout).toMatch(/^ {2}\[1\] connect as "tinyiot-demo"/m);
    expect(r.stdout).toMatch(/^ {6}connected \(session present: no\)$/m);
    expect(r.stdout).toMatch(/^ {6}received on demo\/alarm \(QoS 2\): "door open"$/m);
    expect(r.stdout).toMatch(/^ {6}received on demo\/raw \(QoS 1\): 0x00ff7f80$/m);
    expect(r.stdout).toContain(
      'summary: 9 steps, 4 messages published (QoS 0: 1, QoS 1: 2, QoS 2: 1), 4 received back, 0 errors',
    );
    expect(r.stdout).toMatch(/^demo OK\./m);
  });

  it('takes no arguments', async () => {
    const r = await runCli(['demo', 'extra']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tinyiot demo: takes no arguments/);
  });
});

describe('describeStep', () => {
  it('says what each step does in words', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(describeStep({ op: 'connect', clientId: 'd', clean: false, keepalive: 5 })).toBe('connect as "d" (keep session, keepalive 5 s)');
    expect(describeStep({ op: 'subscribe', filters: [{ topic: 'a/#', qos: 1 }, { topic: 'b', qos: 0 }] })).toBe(
      'subscribe to a/# (QoS 1), b (QoS 0)',
    );
    expect(describeStep({ op: 'publish', topic: 't', payload: bytes('hi'), qos: 2, retain: true, await: true })).toBe(
      'publish "hi" to t at QoS 2, retained, wait for the ack',
    );
    expect(describeStep({ op: 'publish', topic: 't', payload: new Uint8Array([0, 1, 2]), qos: 0, retain: false, await: false })).toBe(
      'publish 3 bytes of binary to t at QoS 0',
    );
    expect(describeStep({ op: 'drop' })).toBe('drop the connection (no DISCONNECT)');
  });
});
