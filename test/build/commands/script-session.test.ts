// `tinyiot script` end to end, the real binary against aedes over TLS on 127.0.0.1: a whole session,
// reconnects, a kept session and keepalive (broker and hooks: test/support/scriptHarness.ts).
import { describe, expect, it } from 'vitest';
import { messages, useScriptBroker } from '../../support/scriptHarness.js';
import { until } from '../../support/wait.js';
import { runCli } from '../cliRun.js';

const { gone, pings, publishes, script, watch } = useScriptBroker();

describe('tinyiot script over TLS against aedes', () => {
  it('connects, subscribes, publishes at every QoS, receives, unsubscribes and disconnects', async () => {
    const p = await script('full.json', {
      steps: [
        { op: 'connect', clientId: 'full', clean: true, keepalive: 30 },
        { op: 'subscribe', filters: [{ topic: 't/full/#', qos: 2 }, { topic: 'deny/x', qos: 1 }] },
        { op: 'publish', topic: 't/full/q0', payload: 'zero', qos: 0, await: true },
        { op: 'publish', topic: 't/full/q1', payload: 'one ✓', qos: 1, await: true },
        { op: 'publish', topic: 't/full/q2', payloadHex: 'ff00', qos: 2, await: true },
        { op: 'wait', ms: 500 },
        { op: 'unsubscribe', filters: ['t/full/#'] },
        { op: 'publish', topic: 't/full/after', payload: 'unheard', qos: 1, await: true },
        { op: 'disconnect' },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events();
    expect(ev[0]).toEqual({ ev: 'connack', rc: 0, sessionPresent: false });
    expect(ev[1]).toEqual({ ev: 'suback', codes: [2, 128] });
    expect(ev.filter((e) => e.ev === 'published')).toEqual([
      { ev: 'published', topic: 't/full/q0', qos: 0 },
      { ev: 'published', topic: 't/full/q1', qos: 1 },
      { ev: 'published', topic: 't/full/q2', qos: 2 },
      { ev: 'published', topic: 't/full/after', qos: 1 },
    ]);
    expect(messages(ev)).toEqual([
      { ev: 'message', topic: 't/full/q0', payload: 'zero', qos: 0, retain: false, dup: false },
      { ev: 'message', topic: 't/full/q1', payload: 'one ✓', qos: 1, retain: false, dup: false },
      { ev: 'message', topic: 't/full/q2', payloadHex: 'ff00', qos: 2, retain: false, dup: false },
    ]);
    expect(ev.indexOf(ev.find((e) => e.ev === 'unsuback')!)).toBeGreaterThan(ev.indexOf(messages(ev)[2]!));
    expect(ev.at(-1)).toEqual({ ev: 'closed', how: 'disconnect' });
    expect(ev.filter((e) => e.ev === 'error')).toEqual([]);
  });

  it('ends with DISCONNECT and exits 0 when the script ends while connected, so no will is published', async () => {
    const p = await script('open-end.json', {
      steps: [
        { op: 'connect', clientId: 'open-end', clean: true, will: { topic: 't/will/open-end', payload: 'gone', qos: 0 } },
        { op: 'subscribe', filters: [{ topic: 'x/y', qos: 0 }] },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(0);
    expect(r.events()).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'suback', codes: [0] },
    ]);
    await until(() => gone.includes('open-end'), 'the broker to see the connection close');
    // aedes authorizes a will before it reports the disconnect, so by now it would be listed.
    expect(publishes.filter((x) => x.startsWith('open-end '))).toEqual([]);
  });

  it('a connect while connected is a reconnect: DISCONNECT, new CONNACK, and the QoS 1 message in flight is sent again', async () => {
    const { got, end } = await watch('t/recon');
    try {
      const p = await script('recon.json', {
        steps: [
          { op: 'connect', clientId: 'recon', clean: false, will: { topic: 't/will/recon', payload: 'gone', qos: 0 } },
          // No await: the reconnect that follows closes the socket before any PUBACK can be read.
          { op: 'publish', topic: 't/recon', payload: 'in flight', qos: 1 },
          { op: 'connect', clientId: 'recon', clean: false },
          { op: 'wait', ms: 300 },
          { op: 'disconnect' },
        ],
      });
      const r = await runCli(['script', p]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.events()).toEqual([
        { ev: 'connack', rc: 0, sessionPresent: false },
        // aedes reports a present session only when it holds subscriptions for it; none here.
        { ev: 'connack', rc: 0, sessionPresent: false },
        { ev: 'published', topic: 't/recon', qos: 1 },
        { ev: 'closed', how: 'disconnect' },
      ]);
      // The copy acknowledged after the reconnect is the re-sent one, DUP set.
      expect(publishes).toContain('recon t/recon true');
      await until(() => got.length > 0, 'the watcher to get the message');
      expect(got.every((m) => m === 'in flight')).toBe(true);
      // The first connection ended with DISCONNECT, so its will was not published.
      expect(publishes.filter((x) => x.startsWith('recon t/will'))).toEqual([]);
    } finally {
      await end();
    }
  });

  it('a second connect with clean=false keeps the session: a QoS 1 message sent while dropped arrives', async () => {
    const { got: wills, end } = await watch('t/will');
    try {
      const p = await script('persist.json', {
        steps: [
          { op: 'connect', clientId: 'persist', clean: false, will: { topic: 't/will', payload: 'first gone', qos: 1 } },
          { op: 'subscribe', filters: [{ topic: 't/persist', qos: 1 }] },
          { op: 'drop' },
          { op: 'connect', clientId: 'persist', clean: false, username: 'gate' },
          { op: 'wait', ms: 1000 },
          { op: 'disconnect' },
        ],
      });
      const r = await runCli(['script', p]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.events()).toEqual([
        { ev: 'connack', rc: 0, sessionPresent: false },
        { ev: 'suback', codes: [1] },
        { ev: 'closed', how: 'drop' },
        { ev: 'connack', rc: 0, sessionPresent: true },
        { ev: 'message', topic: 't/persist', payload: 'while away', qos: 1, retain: false, dup: false },
        { ev: 'closed', how: 'disconnect' },
      ]);
      // drop sent no DISCONNECT, so the broker published the first connection's will.
      await until(() => wills.length > 0, 'the will of the dropped connection');
      expect(wills).toEqual(['first gone']);
    } finally {
      await end();
    }
  });

  it('keeps the connection alive through a wait with PINGREQs', async () => {
    const p = await script('keepalive.json', {
      steps: [
        { op: 'connect', clientId: 'pinger', clean: true, keepalive: 1 },
        { op: 'wait', ms: 2500 },
        { op: 'disconnect' },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(0);
    expect(r.events()).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'closed', how: 'disconnect' },
    ]);
    expect(pings.pinger).toBeGreaterThanOrEqual(1);
  });
});
