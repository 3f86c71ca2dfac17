// `tinyiot hub`: runs the local IoT-Hub-compatible broker, or talks to a running one through its
// loopback HTTP API (send, invoke, desired, twin, watch), signed with the service key in the
// data folder.
import { type FlagKind, parseArgs, UsageError } from '../firmware/args.js';
import { C2D_LIMITS, type ConnLimits, DEFAULT_LIMITS, LIMIT_FLAGS } from '../hub/limits.js';
import { methodNameError } from '../hub/methods.js';
import { isLoopback } from '../hub/options.js';
import { startHub, type TelemetryEvent } from '../hub/server.js';
import { telemetryJson } from '../hub/http.js';
import { DEFAULT_DATA_DIR, devicePath, hubApi, hubFetch, hubInfo, ServiceError } from '../hub/service.js';
import { onStopSignal } from '../stop-signals.js';
import { usageText } from '../usage-error.js';

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
  invoke    call a direct method; prints the device's status and JSON reply, and exits 1
            when the status is not 2xx (e.g. 501: the device has no such method)
  desired   patch the desired properties (a JSON object); prints the new $version
  twin      print the device twin
  watch     print telemetry as it arrives: time, device, properties, body

options:
  --data DIR        data folder (default ${DEFAULT_DATA_DIR}); holds the service key that
                    send / invoke / desired / twin / watch sign their requests with
  --port N          MQTT port (default 8883; 0 = any free port, for when 8883 is in use)
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

exit code: 0 done; 1 a failure (no hub running, an unknown or offline device, a method status that
is not 2xx, a port in use); 2 a mistake in the command (options, arguments, JSON, a request the
hub refuses as malformed)

limits of the hub's own (IoT Hub's fixed limits are in docs/hub-limits.md):
  --max-connections N              open connections in total (default ${DEFAULT_LIMITS.maxConnections})
  --max-connections-per-address N  open connections from one address (default ${DEFAULT_LIMITS.maxConnectionsPerAddress})
  --handshake-timeout S            time for the TLS handshake (default ${DEFAULT_LIMITS.handshakeTimeoutMs / 1000})
  --connect-timeout S              time from the handshake to CONNECT (default ${DEFAULT_LIMITS.connectTimeoutMs / 1000})
  --max-subscriptions N            topic filters per connection (default ${DEFAULT_LIMITS.maxSubscriptions})
  --max-inflight N                 messages awaiting PUBACK per connection (default ${DEFAULT_LIMITS.maxInflight})`;

const kinds: Record<string, FlagKind> = {
  data: 'string', port: 'string', host: 'string', 'insecure-tcp': 'boolean', 'http-port': 'string', 'hub-name': 'string',
  ttl: 'string', timeout: 'string', json: 'boolean', count: 'string', prop: 'list',
  ...Object.fromEntries(Object.keys(LIMIT_FLAGS).map((f) => [f, 'string' as const])),
};

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

/** A port the hub cannot listen on, said with the flag that chose it and what to do instead. */
function listenProblem(e: NodeJS.ErrnoException, host: string, [flag, n]: [string, number]): Error | undefined {
  const why = e.code === 'EADDRINUSE' ? 'is in use (another hub or broker?)' : e.code === 'EACCES' ? 'needs privileges this user lacks' : undefined;
  return why && new Error(`${flag} ${n}: ${host}:${n} ${why}; choose another with ${flag} <n>, or ${flag} 0 for any free port`);
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
    // The hub refusing the request as malformed (HTTP 400: a property name, a patch) is a mistake in it too.
    if (e instanceof ServiceError && e.status === 400) {
      process.stderr.write(`tinyiot hub: ${e.message}\n`);
      return 2;
    }
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(usageText('hub', e.message));
    return 2;
  }
}

async function hub(argv: string[]): Promise<number> {
  const { flags, positionals: p } = parseArgs(argv, kinds, 4);
  const propArgs = (flags.prop as string[] | undefined) ?? [];
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
  // Called once the arguments are checked: a mistake in them is said first, then that no hub runs.
  const api = <T>(method: string, path: string, body?: unknown): Promise<T> => {
    hubInfo(o.data);
    return hubApi<T>(o.data, method, path, body);
  };
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
      const r = await api<{ messageId: string; expires: string }>('POST', devicePath(device!, '/messages'), { body: a, props, ttl });
      out(`queued ${r.messageId} for ${device} (expires ${r.expires})`);
      return 0;
    }
    case 'invoke': {
      const bad = methodNameError(a!);
      if (bad) throw new UsageError(bad);
      const timeout = num(o.timeout, '--timeout', 1, 300);
      const r = await api<{ status: number; payload: unknown }>('POST', devicePath(device!, '/methods'), { method: a, payload: json(b, 'the method payload'), timeout });
      out(`status ${r.status}`);
      out(JSON.stringify(r.payload));
      // As IoT Hub's method statuses: 2xx is the device's success, anything else its refusal (501: no such method).
      return r.status >= 200 && r.status < 300 ? 0 : 1;
    }
    case 'desired': {
      const patch = json(a, 'the desired patch');
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new UsageError(`the desired patch must be a JSON object such as '{"interval":5}', not ${a}`);
      const r = await api<{ version: number }>('PATCH', devicePath(device!, '/twin/desired'), patch);
      out(`desired $version ${r.version}`);
      return 0;
    }
    case 'twin':
      out(JSON.stringify(await api('GET', devicePath(device!, '/twin')), null, 2));
      return 0;
    default:
      const count = num(o.count, '--count', 1);
      hubInfo(o.data);
      return watch(o.data, o.json, count);
  }
}

async function serve(o: { data: string; port: string; host: string; 'insecure-tcp': boolean; 'http-port': string; 'hub-name'?: string; ttl?: string; limits: Partial<ConnLimits> }): Promise<number> {
  const ttl = num(o.ttl, '--ttl', 1, C2D_LIMITS.maxTtlMs / 1000);
  const stamp = () => new Date().toISOString().slice(11, 23);
  const mqttPort = port(o.port, '--port');
  const httpPort = port(o['http-port'], '--http-port');
  if (o['insecure-tcp'] && !isLoopback(o.host)) throw new UsageError(`--insecure-tcp: plain TCP (no TLS) is only allowed on loopback, not on --host ${o.host}`);
  const hub = await startHub({
    dataDir: o.data,
    port: mqttPort,
    host: o.host,
    tls: !o['insecure-tcp'],
    hubName: o['hub-name'],
    httpPort,
    c2dTtlMs: ttl === undefined ? undefined : ttl * 1000,
    limits: o.limits,
    log: (line) => out(`${stamp()} ${line}`),
  }).catch((e: NodeJS.ErrnoException & { port?: number }) => {
    throw listenProblem(e, o.host, e.port === mqttPort ? ['--port', mqttPort] : ['--http-port', httpPort]) ?? e;
  });
  const n = hub.registry.list().length;
  out(`tinyiot hub '${hub.hubName}' listening on ${hub.tls ? 'mqtts' : 'mqtt'}://${hub.host}:${hub.port}${hub.tls ? '' : ' (NO TLS: development on loopback only)'}`);
  if (hub.caPath) out(`CA certificate: ${hub.caPath}`);
  out(`service API: http://127.0.0.1:${hub.httpPort} (data folder ${hub.dataDir})`);
  out(`${n} device(s) registered${n ? '' : `; add one with 'tinyiot device add <id> --data ${o.data}'`}`);
  hub.on('telemetry', (ev: TelemetryEvent) => out(`${stamp()} telemetry ${line(ev)}`));
  hub.on('reported', (e: { deviceId: string; patch: unknown; version: number }) => out(`${stamp()} reported ${e.deviceId} $version ${e.version} ${JSON.stringify(e.patch)}`));
  hub.on('c2d-ack', (e: { deviceId: string; messageId: string }) => out(`${stamp()} c2d ${e.deviceId}: ${e.messageId} acknowledged`));
  let offSignals = () => {};
  await new Promise<void>((done) => (offSignals = onStopSignal(() => done())));
  await hub.stop();
  offSignals();
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
