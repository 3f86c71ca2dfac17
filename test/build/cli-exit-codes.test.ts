// Every command's bad inputs, run as a user runs them: a usage mistake exits 2, a failure 1, each
// with one message that says what is wrong (and, for a file or a port, the flag and the value).
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { IPublishPacket } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../build/hub/server.js';
import { runCli } from './cliRun.js';
import { startTestHub, subscribedDevice, tempDir } from './hub/rig.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('usage mistakes exit 2 in every command', () => {
  it.each([
    [['build', 'mqtt-blink', '--board', 'nope'], /^tinyiot build: unknown board 'nope' \(known boards: /],
    [['build', 'nope', '--board', 'esp32'], /^tinyiot build: unknown app 'nope' \(apps: /],
    [['build', 'mqtt-blink', '--board', 'esp32', '--config', '/nonexistent.json'], /^tinyiot build: --config \/nonexistent\.json: cannot read \(no such file\)\n$/],
    [['flash', 'mqtt-blink', '--board', 'nope', '--port', 'tcp://h:1'], /^tinyiot flash: unknown board 'nope'/],
    [['flash', 'mqtt-blink', '--board', 'emulator', '--port', 'tcp://h:1'], /^tinyiot flash: board 'emulator' is the simulator: run the app on it with 'tinyiot sim'\n$/],
    [['sim', '--board', 'nope'], /^tinyiot sim: unknown board 'nope'/],
    [['sim', 'nope'], /^tinyiot sim: unknown app 'nope'/],
    [['sim', '--ca', '/nonexistent.pem'], /^tinyiot sim: --ca \/nonexistent\.pem: cannot read \(no such file\)\n$/],
    [['demo', '--board', 'nope'], /^tinyiot demo: unknown board 'nope'/],
    [['boards', 'nope'], /^tinyiot boards: unknown board 'nope'/],
    [['new'], /^tinyiot new: missing <dir>/],
    [['device', 'frob'], /^tinyiot device: unknown subcommand 'frob'/],
    [['script'], /^tinyiot script: expected one script file/],
    [['hub', 'fly'], /^tinyiot hub: unknown command 'fly'/],
    [['hub', 'desired', 'x', '[1,2]'], /^tinyiot hub: the desired patch must be a JSON object such as '\{"interval":5\}', not \[1,2\]/],
    [['hub', 'desired', 'x', 'notjson'], /^tinyiot hub: the desired patch is not valid JSON/],
  ])('%j', async (args, msg) => {
    const r = await runCli(args);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(msg)]);
  }, 60000);

  it('demo on a board without TLS says what to do instead, without an internal id or a flag demo lacks', async () => {
    const r = await runCli(['demo', '--board', 'esp8266']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tinyiot demo: board 'esp8266' \(.*\) has no TLS, and the demo's hub, like Azure IoT Hub, accepts TLS connections only\. Run the demo on a board with TLS \(emulator, esp32, /);
    expect(r.stderr).not.toMatch(/esp8266\.sim|Pass --insecure-dev/);
  }, 60000);
});

describe('failures exit 1', () => {
  it.each([
    [['hub', 'twin', 'x', '--data', join(tmp.dir, 'no-hub')], /^tinyiot hub: no hub is running on /],
    [['flash', 'mqtt-blink', '--board', 'esp32', '--port', '/dev/nope-tinyiot'], /^tinyiot flash: --port \/dev\/nope-tinyiot: no such serial device/],
  ])('%j', async (args, msg) => {
    const r = await runCli(args);
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(msg)]);
  }, 60000);
});

describe('against a running hub', () => {
  let hub: Hub;
  let busy: Server;
  const data = join(tmp.dir, 'hub');
  beforeAll(async () => {
    hub = await startTestHub(data);
    hub.registry.add('d1');
    busy = createServer();
    await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
  });
  afterAll(async () => {
    await hub.stop();
    await new Promise((r) => busy.close(r));
  });

  it('invoke exits 1 when the device answers with a status that is not 2xx, and prints it', async () => {
    const d = await subscribedDevice(hub, 'd1', ['$iothub/methods/POST/#']);
    const run = runCli(['hub', 'invoke', 'd1', 'nosuchmethod', '--data', data, '--timeout', '10']);
    const req = await d.next<IPublishPacket>((x) => x.cmd === 'publish', 'the call');
    const rid = req.topic.split('$rid=')[1];
    d.send({ cmd: 'publish', topic: `$iothub/methods/res/501/?$rid=${rid}`, payload: Buffer.from('{"error":"no such method"}'), qos: 0, dup: false, retain: false });
    const r = await run;
    expect([r.code, r.stdout]).toEqual([1, 'status 501\n{"error":"no such method"}\n']);
    d.end();
  }, 60000);

  it('a hub whose --port is in use names the flag, suggests --port 0, and leaves no half-made data folder', async () => {
    const port = (busy.address() as { port: number }).port;
    const fresh = join(tmp.dir, 'fresh');
    const r = await runCli(['hub', '--port', String(port), '--data', fresh]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tinyiot hub: --port ${port}: 127.0.0.1:${port} is in use (another hub or broker?); choose another with --port <n>, or --port 0 for any free port\n`);
    expect(existsSync(fresh)).toBe(false);
  }, 60000);
});
