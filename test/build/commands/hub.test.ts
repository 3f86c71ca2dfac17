// `tinyiot hub` as a user runs it: the server in a child process, and send / invoke / desired /
// twin / watch against a hub started in-process on a free port.
import { spawn } from 'node:child_process';
import type { IPublishPacket } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../../build/hub/server.js';
import { sleep, until } from '../../support/wait.js';
import { ROOT, runCli } from '../cliRun.js';
import { rawDevice, startTestHub, subscribedDevice, tempDir } from '../hub/rig.js';

describe('tinyiot hub <command> against a running hub', () => {
  let hub: Hub;
  const tmp = tempDir();
  const cli = (...args: string[]) => runCli(['hub', ...args, '--data', tmp.dir]);
  beforeAll(async () => {
    hub = await startTestHub(tmp.dir);
    for (const id of ['d1', 'd2']) hub.registry.add(id);
  });
  afterAll(async () => {
    await hub.stop();
    tmp.cleanup();
  });

  it('send queues a message with properties that the device receives', async () => {
    const r = await cli('send', 'd1', 'turn on', '--prop', 'color=red', '--prop', '$.ct=text/plain', '--ttl', '60');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const mid = /^queued (\S+) for d1 \(expires \S+\)$/.exec(r.stdout.trim())![1];
    const d = await subscribedDevice(hub, 'd1', ['devices/d1/messages/devicebound/#']);
    const p = await d.next<IPublishPacket>((x) => x.cmd === 'publish', 'the message');
    expect(p.payload.toString()).toBe('turn on');
    expect(p.topic).toContain(`%24.mid=${mid}`);
    expect(p.topic).toContain('color=red');
    expect(p.topic).toContain('%24.ct=text%2Fplain');
    d.end();
  });

  it('invoke prints the device’s status and reply', async () => {
    const d = await subscribedDevice(hub, 'd2', ['$iothub/methods/POST/#', '$iothub/twin/PATCH/properties/desired/#']);
    const run = cli('invoke', 'd2', 'blink', '{"times":3}', '--timeout', '10');
    const req = await d.next<IPublishPacket>((x) => x.cmd === 'publish' && x.topic.startsWith('$iothub/methods/POST/blink/'), 'the call');
    expect(JSON.parse(req.payload.toString())).toEqual({ times: 3 });
    d.send({ cmd: 'publish', topic: `$iothub/methods/res/200/?$rid=${req.topic.split('$rid=')[1]}`, payload: Buffer.from('{"blinked":3}'), qos: 0, dup: false, retain: false });
    const r = await run;
    expect([r.code, r.stdout]).toEqual([0, 'status 200\n{"blinked":3}\n']);

    const slow = await cli('invoke', 'd2', 'blink', '--timeout', '1');
    expect(slow.code).toBe(1);
    expect(slow.stderr).toMatch(/did not answer method 'blink'/);
    const offline = await cli('invoke', 'd1', 'blink');
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/not connected/);
    d.end();
  });

  it('desired patches the twin and the device hears it; twin prints it', async () => {
    const d = await subscribedDevice(hub, 'd2', ['$iothub/twin/PATCH/properties/desired/#']);
    const r = await cli('desired', 'd2', '{"interval":15}');
    expect([r.code, r.stdout]).toEqual([0, 'desired $version 2\n']);
    const p = await d.next<IPublishPacket>((x) => x.cmd === 'publish', 'the desired patch');
    expect(p.topic).toBe('$iothub/twin/PATCH/properties/desired/?$version=2');
    const t = await cli('twin', 'd2');
    expect(JSON.parse(t.stdout)).toEqual({ desired: { interval: 15, $version: 2 }, reported: { $version: 1 } });
    d.end();
  });

  it('watch prints telemetry as it arrives', async () => {
    const d = rawDevice(hub, 'd1');
    expect(await d.connack()).toBe(0);
    let done = false;
    const run = cli('watch', '--json', '--count', '1').then((r) => ((done = true), r));
    // Messages sent before the stream is open are not shown, so keep sending until one is.
    for (let i = 0; i < 100 && !done; i++) {
      d.send({ cmd: 'publish', topic: 'devices/d1/messages/events/%24.ct=application%2Fjson&n=1', payload: Buffer.from('{"t":20}'), qos: 0, dup: false, retain: false });
      await sleep(100);
    }
    const r = await run;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ deviceId: 'd1', props: { '$.ct': 'application/json', n: '1' }, body: '{"t":20}' });
    expect(r.stderr).toMatch(/watching telemetry/);
    d.end();
  });

  it('explains errors: unknown device, bad JSON, bad usage', async () => {
    const unknown = await cli('send', 'ghost', 'x');
    expect([unknown.code, unknown.stderr]).toEqual([1, "tinyiot hub: unknown device 'ghost'\n"]);
    const badJson = await cli('desired', 'd1', '{nope');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/not valid JSON/);
    const badPatch = await cli('desired', 'd1', '{"a.b":1}');
    expect(badPatch.code).toBe(2);
    expect(badPatch.stderr).toMatch(/'a\.b' is not allowed/);
    // (A NUL cannot be passed on a command line; the HTTP API test sends one.)
    const badName = await cli('invoke', 'd1', 'a\u001bb');
    expect([badName.code, badName.stderr]).toEqual([2, "tinyiot hub: method name 'a\\u001bb': character '\\u001b' is not allowed\n(see 'tinyiot hub --help')\n"]);
    const slash = await cli('invoke', 'd1', 'a/b');
    expect([slash.code, slash.stderr.split('\n')[0]]).toEqual([2, "tinyiot hub: method name 'a/b': character '/' is not allowed"]);
    const proto = await cli('send', 'd1', 'x', '--prop', '__proto__=x');
    expect([proto.code, proto.stderr]).toEqual([2, "tinyiot hub: property name '__proto__' is not allowed\n"]);
    for (const args of [['send', 'd1'], ['twin'], ['fly'], ['constructor', 'd1'], ['send', 'd1', 'x', '--prop', 'novalue'], ['send', 'd1', 'x', '--prop']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
    }
    // The TTL past year 275760 never reaches the hub; 2 days is the most.
    const queued = hub.c2d.pending('d1').length;
    const far = await cli('send', 'd1', 'x', '--ttl', '10000000000000');
    expect([far.code, far.stderr.split('\n')[0]]).toEqual([2, "tinyiot hub: --ttl must be a number from 1 to 172800, not '10000000000000'"]);
    expect(hub.c2d.pending('d1')).toHaveLength(queued);
  });
});

describe('tinyiot hub (the server)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('says so when no hub is running', async () => {
    const r = await runCli(['hub', 'twin', 'x', '--data', tmp.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no hub is running on .*tinyiot hub --data/);
  });

  it('refuses a port out of range with exit 2, before starting', async () => {
    for (const [opt, v] of [['--port', '99999'], ['--port', '-1'], ['--http-port', '65536'], ['--port', '1.5']]) {
      const r = await runCli(['hub', `${opt}=${v}`, '--data', tmp.dir]);
      expect([r.code, r.stderr.split('\n')[0]], `${opt} ${v}`).toEqual([2, `tinyiot hub: ${opt} must be 0..65535, not '${v}'`]);
    }
  });

  it('refuses a limit that is not a positive whole number, naming the flag, before starting', async () => {
    for (const [opt, v, msg] of [
      ['--max-connections', '0', "--max-connections must be a whole number from 1, not '0'"],
      ['--max-inflight', '70000', "--max-inflight must be a whole number from 1 to 65535, not '70000'"],
      ['--handshake-timeout', 'soon', "--handshake-timeout must be a number from 0.001 to 3600, not 'soon'"],
    ]) {
      const r = await runCli(['hub', opt!, v!, '--data', tmp.dir]);
      expect([r.code, r.stderr.split('\n')[0]], opt).toEqual([2, `tinyiot hub: ${msg}`]);
    }
  });

  it('refuses plain TCP off loopback as a usage mistake', async () => {
    const r = await runCli(['hub', '--insecure-tcp', '--host', '0.0.0.0', '--port', '0', '--data', tmp.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tinyiot hub: --insecure-tcp: plain TCP \(no TLS\) is only allowed on loopback, not on --host 0\.0\.0\.0\n/);
  });

  it('starts, prints its port and CA, serves devices and stops on SIGTERM', async () => {
    const limits = ['--max-connections', '50', '--max-connections-per-address', '20', '--handshake-timeout', '5', '--max-subscriptions', '10', '--max-inflight', '10'];
    const p = spawn(process.execPath, ['bin/tinyiot.mjs', 'hub', '--port', '0', ...limits, '--data', tmp.dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exit = new Promise<number | null>((r) => p.on('close', r));
    try {
      await until(() => /registered/.test(out), 'the hub to start', 20_000);
      expect(out).toMatch(/^tinyiot hub 'localhost' listening on mqtts:\/\/127\.0\.0\.1:\d+$/m);
      expect(out).toMatch(/^CA certificate: .*ca\.pem$/m);
      expect(out).toMatch(/0 device\(s\) registered; add one with 'tinyiot device add <id>/);
      const add = await runCli(['device', 'add', 'live', '--data', tmp.dir]);
      expect(add.stdout).toMatch(new RegExp(`GatewayHostName=127\\.0\\.0\\.1:${/mqtts:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]}`));
      const sent = await runCli(['hub', 'send', 'live', 'hello', '--data', tmp.dir]);
      expect(sent.code).toBe(0);
    } finally {
      p.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
    expect(out).toMatch(/hub stopped\n$/);
    // The queued message outlives the process.
    const hub = await startTestHub(tmp.dir);
    expect(hub.c2d.pending('live').map((m) => Buffer.from(m.body, 'base64').toString())).toEqual(['hello']);
    await hub.stop();
  });
});
