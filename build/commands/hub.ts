// `tinyiot hub`: runs the local IoT-Hub-compatible broker, or talks to a running one through its
// loopback HTTP API (send, invoke, desired, twin, watch), signed with the service key in the
// data folder.
import { type FlagKind, parseArgs, UsageError } from '../firmware/args.js';
import { C2D_LIMITS, type ConnLimits, DEFAULT_LIMITS, LIMIT_FLAGS } from '../hub/limits.js';
import { methodNameError } from '../hub/methods.js';
import { startHub, type TelemetryEvent } from '../hub/server.js';
import { telemetryJson } from '../hub/http.js';
import { DEFAULT_DATA_DIR, devicePath, hubApi, hubFetch, hubInfo } from '../hub/service.js';

export const help = `usage: tinyiot hub [options]                      run the local hub until Ctrl-C
       tinyiot hub send <device> <message> [--prop k=v]... [--ttl s]
       tinyiot hub invoke <device> <method> [<json>] [--timeout s]
       tinyiot hub desired <device> <json>
       tinyiot hub twin <device>
       tinyiot hub watch [--json] [--count n]

A development broker that behaves like Azure IoT Hub toward devices: MQTT 3.1.1 over TLS with
its own CA (made on first run, kept in the data folder), SAS tokens checked against the device
keys of 'tinyiot device add', per-device topics only, twins, direct methods and a persisted
cloud-to-device queue. Point a device or the Azure SDK at it with the connection string that
'tinyiot device add' prints, and trust <data>/ca.pem.

  send      queue a cloud-to-device message (delivered when the device subscribes)
  invoke    call a direct method; prints the device's status and JSON reply
  desired   patch the desired properties; prints the new $version
  twin      print the device twin
  watch     print telemetry as it arrives: time, device, properties, body

options:
  --data DIR        data folder (default ${DEFAULT_DATA_DIR}); holds the service key that
                    send / invoke / desired / twin / watch sign their requests with
  --port N          MQTT port (default 8883; 0 = any free port)
  --host ADDR       address to listen on (default 127.0.0.1)
  --insecure-tcp    plain MQTT without TLS; loopback only
  --http-port N     service API port on 127.0.0.1 (default: any free port, kept in <data>/hub.json)
  --hub-name NAME   the hub's host name in tokens and user names (default localhost)
  --ttl S           run: default cloud-to-device time to live (3600); send: this message's;
                    at most ${C2D_LIMITS.maxTtlMs / 1000} (IoT Hub's 2 days)
  --prop K=V        send: an application property (repeatable); $.ct $.ce $.cid $.uid allowed
  --timeout S       invoke: seconds to wait for the device (default 30, at most 300)
  --json            watch: one JSON object per line
  --count N         watch: exit after N messages

limits of the hub's own (IoT Hub's fixed limits are in docs/hub-limits.md):
  --max-connections N              open connections in total (default ${DEFAULT_LIMITS.maxConnections})
  --max-connections-per-address N  open connections from one address (default ${DEFAULT_LIMITS.maxConnectionsPerAddress})
  --handshake-timeout S            time for the TLS handshake (default ${DEFAULT_LIMITS.handshakeTimeoutMs / 1000})
  --connect-timeout S              time from the handshake to CONNECT (default ${DEFAULT_LIMITS.connectTimeoutMs / 1000})
  --max-subscriptions N            topic filters per connection (default ${DEFAULT_LIMITS.maxSubscriptions})
  --max-inflight N                 messages awaiting PUBACK per connection (default ${DEFAULT_LIMITS.maxInflight})`;

const kinds: Record<string, FlagKind> = {
  data: 'string', port: 'string', host: 'string', 'insecure-tcp': 'boolean', 'http-port': 'string', 'hub-name': 'string',
  ttl: 'string', timeout: 'string', json: 'boolean', count: 'string',
  ...Object.fromEntries(Object.keys(LIMIT_FLAGS).map((f) => [f, 'string' as const])),
};

/** The values of a repeatable flag, and argv without them: the shared parser keeps one value a flag. */
export function takeRepeated(argv: string[], name: string): { rest: string[]; values: string[] } {
  const rest: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      values.push(v);
    } else if (a.startsWith(`--${name}=`)) values.push(a.slice(name.length + 3));
    else rest.push(a);
  }
  return { rest, values };
}

function num(v: string | undefined, what: string, min: number, max = Infinity): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v) || +v < min || +v > max) throw new UsageError(`${what} must be a number from ${min} to ${max}, not '${v}'`);
  return +v;
}

/** The limits set by flags; a mistake names the flag. */
function limitFlags(flags: Record<string, unknown>): Partial<ConnLimits> {
  const limits: Partial<ConnLimits> = {};
  for (const [flag, { key, unit }] of Object.entries(LIMIT_FLAGS)) {
    const v = flags[flag] as string | undefined;
    if (v === undefined) continue;
    if (unit === 'count') {
      if (!/^[1-9]\d*$/.test(v) || (key === 'maxInflight' && +v > 65535)) throw new UsageError(`--${flag} must be a whole number from 1${key === 'maxInflight' ? ' to 65535' : ''}, not '${v}'`);
      limits[key] = +v;
    } else limits[key] = Math.round(num(v, `--${flag}`, 0.001, 3600)! * 1000);
  }
  return limits;
}

function port(v: string, what: string): number {
  if (!/^\d+$/.test(v) || +v > 65535) throw new UsageError(`${what} must be 0..65535, not '${v}'`);
  return +v;
}

function json(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} is not valid JSON: ${text}`);
  }
}

const out = (s: string) => process.stdout.write(s + '\n');

export async function run(argv: string[]): Promise<number> {
  try {
    return await hub(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot hub: ${e.message}\n(see 'tinyiot hub --help')\n`);
    return 2;
  }
}

async function hub(argv: string[]): Promise<number> {
  const { rest, values: propArgs } = takeRepeated(argv, 'prop');
  const { flags, positionals: p } = parseArgs(rest, kinds, 4);
  const o = {
    data: (flags.data as string | undefined) ?? DEFAULT_DATA_DIR,
    port: (flags.port as string | undefined) ?? '8883',
    host: (flags.host as string | undefined) ?? '127.0.0.1',
    'insecure-tcp': flags['insecure-tcp'] === true,
    'http-port': (flags['http-port'] as string | undefined) ?? '0',
    'hub-name': flags['hub-name'] as string | undefined,
    ttl: flags.ttl as string | undefined,
    timeout: flags.timeout as string | undefined,
    json: flags.json === true,
    count: flags.count as string | undefined,
    limits: limitFlags(flags),
  };
  const [cmd, device, a, b, ...extra] = p;
  const arity = new Map<string, [number, number]>([['send', [2, 2]], ['invoke', [2, 3]], ['desired', [2, 2]], ['twin', [1, 1]], ['watch', [0, 0]]]);
  if (!cmd) return serve(o);
  const want = arity.get(cmd);
  if (!want) throw new UsageError(`unknown command '${cmd}'`);
  const n = p.length - 1;
  if (n < want[0] || n > want[1] || extra.length) throw new UsageError(`'${cmd}' takes ${want[0] === want[1] ? want[0] : `${want[0]} to ${want[1]}`} argument(s), got ${n}`);
  hubInfo(o.data); // a clear error when no hub runs
  switch (cmd) {
    case 'send': {
      // No prototype: a name such as `__proto__` stays a property, for the hub to refuse by name.
      const props: Record<string, string> = Object.create(null);
      for (const kv of propArgs) {
        const e = kv.indexOf('=');
        if (e < 1) throw new UsageError(`--prop wants key=value, not '${kv}'`);
        props[kv.slice(0, e)] = kv.slice(e + 1);
      }
      const ttl = num(o.ttl, '--ttl', 1, C2D_LIMITS.maxTtlMs / 1000);
      const r = await hubApi<{ messageId: string; expires: string }>(o.data, 'POST', devicePath(device!, '/messages'), { body: a, props, ttl });
      out(`queued ${r.messageId} for ${device} (expires ${r.expires})`);
      return 0;
    }
    case 'invoke': {
      const bad = methodNameError(a!);
      if (bad) throw new UsageError(bad);
      const timeout = num(o.timeout, '--timeout', 1, 300);
      const r = await hubApi<{ status: number; payload: unknown }>(o.data, 'POST', devicePath(device!, '/methods'), { method: a, payload: json(b, 'the method payload'), timeout });
      out(`status ${r.status}`);
      out(JSON.stringify(r.payload));
      return 0;
    }
    case 'desired': {
      const r = await hubApi<{ version: number }>(o.data, 'PATCH', devicePath(device!, '/twin/desired'), json(a, 'the desired patch'));
      out(`desired $version ${r.version}`);
      return 0;
    }
    case 'twin':
      out(JSON.stringify(await hubApi(o.data, 'GET', devicePath(device!, '/twin')), null, 2));
      return 0;
    default:
      return watch(o.data, o.json, num(o.count, '--count', 1));
  }
}

async function serve(o: { data: string; port: string; host: string; 'insecure-tcp': boolean; 'http-port': string; 'hub-name'?: string; ttl?: string; limits: Partial<ConnLimits> }): Promise<number> {
  const ttl = num(o.ttl, '--ttl', 1, C2D_LIMITS.maxTtlMs / 1000);
  const stamp = () => new Date().toISOString().slice(11, 23);
  const hub = await startHub({
    dataDir: o.data,
    port: port(o.port, '--port'),
    host: o.host,
    tls: !o['insecure-tcp'],
    hubName: o['hub-name'],
    httpPort: port(o['http-port'], '--http-port'),
    c2dTtlMs: ttl === undefined ? undefined : ttl * 1000,
    limits: o.limits,
    log: (line) => out(`${stamp()} ${line}`),
  });
  const n = hub.registry.list().length;
  out(`tinyiot hub '${hub.hubName}' listening on ${hub.tls ? 'mqtts' : 'mqtt'}://${hub.host}:${hub.port}${hub.tls ? '' : ' (NO TLS: development on loopback only)'}`);
  if (hub.caPath) out(`CA certificate: ${hub.caPath}`);
  out(`service API: http://127.0.0.1:${hub.httpPort} (data folder ${hub.dataDir})`);
  out(`${n} device(s) registered${n ? '' : `; add one with 'tinyiot device add <id> --data ${o.data}'`}`);
  hub.on('telemetry', (ev: TelemetryEvent) => out(`${stamp()} telemetry ${line(ev)}`));
  hub.on('reported', (e: { deviceId: string; patch: unknown; version: number }) => out(`${stamp()} reported ${e.deviceId} $version ${e.version} ${JSON.stringify(e.patch)}`));
  hub.on('c2d-ack', (e: { deviceId: string; messageId: string }) => out(`${stamp()} c2d ${e.deviceId}: ${e.messageId} acknowledged`));
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await hub.stop();
  out('hub stopped');
  return 0;
}

/** `device props body` for people; the body as text, or base64 when it is not UTF-8. */
function line(ev: TelemetryEvent): string {
  const j = telemetryJson(ev) as { body?: string; bodyBase64?: string };
  const body = j.body ?? `base64:${j.bodyBase64}`;
  return `${ev.deviceId} ${JSON.stringify(ev.props)} ${body.length > 200 ? body.slice(0, 200) + '...' : body}`;
}

async function watch(dataDir: string, asJson: boolean, count?: number): Promise<number> {
  const res = await hubFetch(dataDir, 'GET', '/api/events');
  if (!res.ok || !res.body) throw new Error(`the hub refused the event stream (HTTP ${res.status})`);
  process.stderr.write(`watching telemetry of the hub on ${dataDir} (Ctrl-C to stop)\n`);
  let seen = 0;
  let buf = '';
  const dec = new TextDecoder();
  for await (const chunk of res.body) {
    buf += dec.decode(chunk, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (!ev.startsWith('data: ')) continue;
      const e = JSON.parse(ev.slice(6)) as { deviceId: string; props: TelemetryEvent['props']; body?: string; bodyBase64?: string; time: string };
      out(asJson ? JSON.stringify(e) : `${e.time} ${e.deviceId} ${JSON.stringify(e.props)} ${e.body ?? `base64:${e.bodyBase64}`}`);
      if (count && ++seen >= count) return 0;
    }
  }
  process.stderr.write('the hub closed the event stream\n');
  return 1;
}
