// `tinyiot script` end to end, the real binary on 127.0.0.1: refused operations reported as events,
// and the exit codes for timeouts, unreachable brokers and bad scripts (test/support/scriptHarness.ts).
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/ports.js';
import { useScriptBroker } from '../../support/scriptHarness.js';
import { runCli } from '../cliRun.js';

const { d, script } = useScriptBroker();

describe('tinyiot script over TLS against aedes', () => {
  it("names the CA in use when the broker's certificate is not trusted, and where to give another", async () => {
    const p = await script('no-ca.json', { ca: undefined, steps: [{ op: 'connect', clientId: 'no-ca', clean: true }] });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tinyiot script: the server's certificate .* \(checked against the system's trusted CAs: the script has no "ca"\); give the CA that signed the server's certificate with the script's "ca" .*\[[A-Z_]+\]\n$/);
  });

  it('stops at the first failed step with exit 1', async () => {
    const p = await script('stop.json', {
      steps: [
        { op: 'connect', clientId: 'refused', clean: true, username: 'bad', password: 'not-this' },
        { op: 'subscribe', filters: [{ topic: 'x', qos: 0 }] },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(1);
    expect(r.events()).toEqual([{ ev: 'connack', rc: 5, sessionPresent: false }, { ev: 'error', msg: expect.stringContaining('(rc 5)') }, expect.objectContaining({ ev: 'closed', how: 'remote' })]);
  });

  it('with --keep-going reports refused operations as error events and carries on', async () => {
    const p = await script('refused.json', {
      steps: [
        { op: 'connect', clientId: '', clean: false },
        { op: 'connect', clientId: 'refused', clean: true, username: 'bad', password: 'not-this' },
        { op: 'subscribe', filters: [{ topic: 'x', qos: 0 }] },
        { op: 'connect', clientId: 'kicked', clean: true },
        { op: 'publish', topic: 'kick/me', payload: 'x', qos: 1, await: true },
        { op: 'publish', topic: 'a/b', payload: 'x', qos: 1, await: true },
        { op: 'connect', clientId: 'kicked', clean: true },
        { op: 'publish', topic: 'a/b', payload: 'y', qos: 1, await: true },
        { op: 'disconnect' },
      ],
    });
    const r = await runCli(['script', p, '--keep-going']);
    expect(r.code).toBe(0);
    const ev = r.events();
    expect(ev[0]).toEqual({ ev: 'error', msg: expect.stringMatching(/^step 1 \(connect\): \[MQTT-3\.1\.3-7\] /) });
    expect(ev[1]).toEqual({ ev: 'connack', rc: 5, sessionPresent: false });
    expect(ev[2]).toEqual({ ev: 'error', msg: expect.stringContaining('(rc 5)') });
    expect(ev[3]).toMatchObject({ ev: 'closed', how: 'remote' });
    expect(ev[4]).toEqual({ ev: 'error', msg: 'step 3 (subscribe): not connected' });
    expect(ev[5]).toEqual({ ev: 'connack', rc: 0, sessionPresent: false });
    // The broker hangs up instead of sending PUBACK: reported, and the script goes on.
    expect(ev.slice(6)).toContainEqual(expect.objectContaining({ ev: 'closed', how: 'remote' }));
    expect(ev.slice(6)).toContainEqual({ ev: 'error', msg: 'step 5 (publish): connection closed before PUBACK' });
    expect(ev.slice(6)).toContainEqual({ ev: 'error', msg: 'step 6 (publish): not connected, so no acknowledgement can come' });
    // The same client object reconnects with its in-flight QoS 1 message and sends it again; its
    // PUBACK comes before the one for the publish that followed.
    expect(ev.slice(-4)).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'published', topic: 'kick/me', qos: 1 },
      { ev: 'published', topic: 'a/b', qos: 1 },
      { ev: 'closed', how: 'disconnect' },
    ]);
    // The password never appears in what the tool prints.
    expect(r.stdout + r.stderr).not.toContain('not-this');
  });
});

describe('tinyiot script exit codes', () => {
  let silent: Server;
  let accepted = 0;
  beforeAll(async () => {
    // Accepts TCP connections and never answers: no CONNACK will ever come.
    silent = createServer((s) => {
      accepted++;
      // Read and discard, so the close of the other end is seen and the server can shut down.
      s.resume();
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => silent.close(() => r())));
  const silentPort = () => (silent.address() as { port: number }).port;

  it('exits 1 with an error event when an ack does not come in time', async () => {
    const p = await script('timeout.json', {
      port: silentPort(),
      tls: false,
      ca: undefined,
      timeout: 300,
      steps: [{ op: 'connect', clientId: 'waits', clean: true }, { op: 'disconnect' }],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(1);
    expect(r.events()).toContainEqual({ ev: 'error', msg: expect.stringContaining('no CONNACK within 300 ms') });
  });

  it('exits 1 when the broker cannot be reached', async () => {
    const port = await freePort();
    const p = await script('unreachable.json', {
      port,
      steps: [{ op: 'connect', clientId: 'nobody', clean: true }, { op: 'disconnect' }],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(1);
    // The platform's own words are kept apart, in reason.
    expect(r.events()).toEqual([{ ev: 'error', msg: `step 1 (connect): could not connect to 127.0.0.1:${port}`, reason: expect.stringMatching(/ECONNREFUSED/) }]);
  });

  it('exits 2 on a malformed script, naming step and field, and sends nothing', async () => {
    const before = accepted;
    const p = await script('bad.json', {
      port: silentPort(),
      tls: false,
      ca: undefined,
      steps: [
        { op: 'connect', clientId: 'c', clean: true },
        { op: 'wait', ms: 10 },
        { op: 'publish', topic: 'a', payload: 'x', qos: 3 },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("tinyiot script: step 3 (publish): 'qos' must be 0, 1 or 2\n");
    expect(accepted).toBe(before);
  });

  it('exits 2 on a bad topic or filter, naming step and field, and sends nothing', async () => {
    const before = accepted;
    const bad = async (step: Record<string, unknown>) => {
      const p = await script('bad-topic.json', {
        port: silentPort(),
        tls: false,
        ca: undefined,
        steps: [{ op: 'connect', clientId: 'c', clean: true }, step],
      });
      const r = await runCli(['script', p]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      return r.stderr;
    };
    expect(await bad({ op: 'publish', topic: 'a/#', payload: 'x', qos: 0 })).toBe(
      "tinyiot script: step 2 (publish): 'topic' must not contain the wildcards '+' or '#' [MQTT-3.3.2-2]\n",
    );
    expect(await bad({ op: 'subscribe', filters: [{ topic: 'a/#/b', qos: 0 }] })).toMatch(/^tinyiot script: step 2 \(subscribe\): 'filters\[0\]\.topic' may have '#' only/);
    expect(await bad({ op: 'unsubscribe', filters: ['a+'] })).toMatch(/^tinyiot script: step 2 \(unsubscribe\): 'filters\[0\]' may have '\+' only/);
    expect(accepted).toBe(before);
  });

  it('exits 2 on bad JSON and on a missing file', async () => {
    const bad = join(d.dir, 'broken.json');
    await writeFile(bad, '{"host": "127.0.0.1", "steps": [');
    const r1 = await runCli(['script', bad]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toBe('tinyiot script: script is not valid JSON (unexpected end of the text)\n');
    const r2 = await runCli(['script', join(d.dir, 'missing.json')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/^tinyiot script: cannot read script '.*missing\.json': no such file\n$/);
  });
});
