// `tinyiot gateway`: runs the protocol gateway (build/gateway), or manages the devices it knows.
import { readFlagFile } from '../firmware/config-file.js';
import { type FlagKind, parseArgs, UsageError } from '../firmware/args.js';
import { DEFAULT_LIMITS } from '../hub/limits.js';
import { startGateway } from '../gateway/gateway.js';
import { DEFAULT_JOURNAL_LIMITS } from '../gateway/journal.js';
import { deviceTopics, PROFILES, type ProfileName } from '../gateway/profiles.js';
import { GatewayRegistry } from '../gateway/registry.js';
import { onStopSignal } from '../stop-signals.js';

export const DEFAULT_GATEWAY_DIR = '.tinyiot/gateway';

export const help = `usage: tinyiot gateway [options]                  run the gateway until Ctrl-C
       tinyiot gateway device add <id> (--connection-string-file F | --passthrough) [--profile P]
       tinyiot gateway device list [--json]
       tinyiot gateway device remove <id>

A protocol gateway for boards that cannot reach IoT Hub themselves (no TLS, too little memory,
only a serial line or BLE). Devices connect over MQTT 3.1.1 on TCP, TLS or a serial line; each
gets its own TLS connection to IoT Hub (Azure's, or 'tinyiot hub'). Telemetry is stored on disk
until IoT Hub acknowledges it. See docs/gateway.md.

  device add      register a device; its new LAN secret is written to an owner-only file whose
                  path is printed (the secret is never printed). Upstream it uses the connection
                  string read from F, or (--passthrough) the SAS token the device sends itself.
                  --profile default (short topics t, r, a / c, d, m) or transparent (IoT Hub's)
  device list     the registered devices
  device remove   forget a device and its secret

options:
  --data DIR          data folder (default ${DEFAULT_GATEWAY_DIR}): devices, secrets, the store
  --port N            device port (default 8883 with TLS, 1883 with --plain-tcp; 0 = any)
  --host ADDR         address to listen on (default 127.0.0.1; 0.0.0.0 for the LAN)
  --cert F --key F    TLS certificate and key for devices (default: a CA and certificate made
                      in the data folder, <data>/ca.pem for devices to trust)
  --plain-tcp         plain MQTT without TLS, for boards that have none (esp8266)
  --serial PATH       also take a board's MQTT on this serial line (repeatable)
  --baud N            serial speed (default 115200)
  --hub HOST:PORT     where IoT Hub is (default: each connection string's host; passthrough needs it)
  --hub-ca F          CA certificate of the hub (the local hub's <data>/ca.pem)
  --topics F          JSON of the default profile's topic names, e.g. {"telemetry":"tele"}
  --token-ttl S       lifetime of the gateway's SAS tokens (default 3600; renewed at 80%)
  --max-stored N      messages stored per device while IoT Hub is away (default ${DEFAULT_JOURNAL_LIMITS.maxMessagesPerDevice})
  --max-stored-bytes N  bytes stored per device (default ${DEFAULT_JOURNAL_LIMITS.maxBytesPerDevice})
  --max-connections N   open device connections in total (default ${DEFAULT_LIMITS.maxConnections})
  --max-connections-per-address N  from one address (default ${DEFAULT_LIMITS.maxConnectionsPerAddress})`;

const kinds: Record<string, FlagKind> = {
  data: 'string', port: 'string', host: 'string', cert: 'string', key: 'string', 'plain-tcp': 'boolean', baud: 'string', serial: 'list',
  hub: 'string', 'hub-ca': 'string', topics: 'string', 'token-ttl': 'string', 'max-stored': 'string', 'max-stored-bytes': 'string',
  'max-connections': 'string', 'max-connections-per-address': 'string', 'connection-string-file': 'string', passthrough: 'boolean', profile: 'string', json: 'boolean',
};

const out = (s: string) => process.stdout.write(s + '\n');

function whole(v: string | undefined, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || +v < min || +v > max) throw new UsageError(`${what} must be a whole number from ${min} to ${max}, not '${v}'`);
  return +v;
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await gateway(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot gateway: ${e.message}\n(see 'tinyiot gateway --help')\n`);
    return 2;
  }
}

async function gateway(argv: string[]): Promise<number> {
  const { flags: f, positionals: p } = parseArgs(argv, kinds, 3);
  const serial = (f.serial as string[] | undefined) ?? [];
  const data = (f.data as string | undefined) ?? DEFAULT_GATEWAY_DIR;
  if (p[0] === 'device') return device(data, p.slice(1), f);
  if (p.length) throw new UsageError(`unknown command '${p[0]}'`);
  if (!!f.cert !== !!f.key) throw new UsageError('--cert and --key go together');
  if (f.cert && f['plain-tcp']) throw new UsageError('--plain-tcp and --cert exclude each other');
  let hub: { host: string; port: number } | undefined;
  if (f.hub) {
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(f.hub as string);
    if (!m || +m[2]! < 1 || +m[2]! > 65535) throw new UsageError(`--hub must be HOST:PORT, not '${f.hub}'`);
    hub = { host: m[1]!.replace(/^\[|\]$/g, ''), port: +m[2]! };
  }
  let topics;
  if (f.topics) {
    try {
      topics = deviceTopics(JSON.parse(readFlagFile('--topics', f.topics as string)));
    } catch (e) {
      throw new UsageError(`--topics ${f.topics}: ${(e as Error).message}`);
    }
  }
  const baudRate = whole(f.baud as string | undefined, '--baud', 50, 4_000_000);
  const stamp = () => new Date().toISOString().slice(11, 23);
  const gw = await startGateway({
    dataDir: data,
    port: whole(f.port as string | undefined, '--port', 0, 65535),
    host: f.host as string | undefined,
    tls: f['plain-tcp'] ? false : f.cert ? { cert: readFlagFile('--cert', f.cert as string), key: readFlagFile('--key', f.key as string) } : 'self',
    serial: serial.map((path) => ({ path, baudRate })),
    hub,
    hubCa: f['hub-ca'] ? readFlagFile('--hub-ca', f['hub-ca'] as string) : undefined,
    tokenTtlS: whole(f['token-ttl'] as string | undefined, '--token-ttl', 60, 365 * 24 * 3600),
    topics,
    journal: {
      maxMessagesPerDevice: whole(f['max-stored'] as string | undefined, '--max-stored', 1) ?? DEFAULT_JOURNAL_LIMITS.maxMessagesPerDevice,
      maxBytesPerDevice: whole(f['max-stored-bytes'] as string | undefined, '--max-stored-bytes', 1024) ?? DEFAULT_JOURNAL_LIMITS.maxBytesPerDevice,
    },
    connections: {
      maxConnections: whole(f['max-connections'] as string | undefined, '--max-connections', 1),
      maxConnectionsPerAddress: whole(f['max-connections-per-address'] as string | undefined, '--max-connections-per-address', 1),
    },
    log: (line) => out(`${stamp()} ${line}`),
  });
  const tls = !f['plain-tcp'];
  out(`tinyiot gateway listening on ${tls ? 'mqtts' : 'mqtt'}://${f.host ?? '127.0.0.1'}:${gw.port}${tls ? '' : ' (plain TCP: keep this network private)'}`);
  if (gw.caPem) out(`devices trust ${data}/ca.pem`);
  for (const s of serial) out(`serial line ${s}`);
  out(`${gw.registry.list().length} device(s) registered (data folder ${gw.dataDir})`);
  // The listeners stay until the gateway has stopped: a second Ctrl-C (npm forwards one) joins the first.
  let offSignals = () => {};
  await new Promise<void>((done) => {
    offSignals = onStopSignal(() => done());
  });
  await gw.stop();
  offSignals();
  out('gateway stopped');
  return 0;
}

async function device(data: string, p: string[], f: Record<string, unknown>): Promise<number> {
  const [cmd, id, ...extra] = p;
  if (!cmd) throw new UsageError('missing device command (add, list, remove)');
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const reg = new GatewayRegistry(data);
  switch (cmd) {
    case 'add': {
      if (!id) throw new UsageError("'device add' needs a device id");
      const file = f['connection-string-file'] as string | undefined;
      if (!file === !f.passthrough) throw new UsageError('give --connection-string-file F or --passthrough');
      const profile = (f.profile as string | undefined) ?? 'default';
      if (!PROFILES.includes(profile as ProfileName)) throw new UsageError(`--profile must be ${PROFILES.join(' or ')}, not '${profile}'`);
      const connectionString = file ? readFlagFile('--connection-string-file', file) : undefined;
      const { secretPath } = reg.add(id, { profile: profile as ProfileName, connectionString, passthrough: f.passthrough === true });
      out(`added ${id} (${profile} profile${file ? '' : ', token passed through'}); its LAN secret is in ${secretPath}`);
      return 0;
    }
    case 'list': {
      const rows = reg.list().map((d) => ({ deviceId: d.deviceId, profile: d.profile, upstream: d.passthrough ? 'passthrough' : 'connection string', created: d.created }));
      if (f.json) out(JSON.stringify(rows));
      else if (!rows.length) out(`no devices in ${data} (add one with 'tinyiot gateway device add <id>')`);
      else for (const r of rows) out(`${r.deviceId}\t${r.profile}\t${r.upstream}\t${r.created}`);
      return 0;
    }
    case 'remove':
      if (!id) throw new UsageError("'device remove' needs a device id");
      if (!reg.remove(id)) throw new Error(`unknown device '${id}' (see 'tinyiot gateway device list --data ${data}')`);
      out(`removed ${id}`);
      return 0;
    default:
      throw new UsageError(`unknown device command '${cmd}' (add, list, remove)`);
  }
}
