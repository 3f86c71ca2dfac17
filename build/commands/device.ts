// `tinyiot device`: the local hub's device registry (registry.json in the hub's data folder),
// plus SAS tokens for local devices or for a real hub's device key.
import { join } from 'node:path';
import { type FlagKind, parseArgs, UsageError as ArgsError } from '../firmware/args.js';
import { idError } from '../../firmware/iothub/ids.js';
import { deviceResourceUri, sasToken } from '../../firmware/iothub/sas.js';
import { nodeCrypto } from '../../hal/emulated/crypto.js';
import { C2dQueue } from '../hub/c2d.js';
import { connectionString, type Device, Registry } from '../hub/registry.js';
import { DEFAULT_HUB_NAME, type HubInfo } from '../hub/server.js';
import { DEFAULT_DATA_DIR, devicePath, hubApi, hubInfo, ServiceError } from '../hub/service.js';
import { TwinStore } from '../hub/twin.js';

export const help = `usage: tinyiot device <command> [options]

Manages the devices of the local hub ('tinyiot hub').

  add <id>                  register a device with a new random key; prints its connection string
  list [--json]             the registered devices (and which are connected, if the hub runs)
  remove <id>               delete a device, its twin and its queued messages
  connection-string <id>    print the device's connection string again
  token <id> [--ttl s]      print a SAS token for a local device (default ttl 3600 s)
  token <id> --hub-host <host> --key <base64> [--ttl s]
                            print a SAS token for a device of a real IoT hub

options:
  --data DIR        the hub's data folder (default ${DEFAULT_DATA_DIR})
  --hub-name NAME   HostName in connection strings and tokens (default: the running hub's, else
                    ${DEFAULT_HUB_NAME})
  --port N          the hub's MQTT port in GatewayHostName (default: the running hub's, else 8883)

Connection strings look like
  HostName=${DEFAULT_HUB_NAME};DeviceId=<id>;SharedAccessKey=<key>;GatewayHostName=127.0.0.1:<port>
HostName names the hub in tokens; devices and the Azure SDKs connect to GatewayHostName. Only
'add' and 'connection-string' print a key: keep their output private.`;

const kinds: Record<string, FlagKind> = {
  data: 'string', 'hub-name': 'string', port: 'string', ttl: 'string', 'hub-host': 'string', key: 'string', json: 'boolean',
};

class UsageError extends Error {
  constructor(message: string, readonly usage = false) {
    super(message);
  }
}

const COMMANDS = ['add', 'list', 'remove', 'connection-string', 'token'];

function running(dataDir: string): HubInfo | undefined {
  try {
    return hubInfo(dataDir);
  } catch {
    return undefined;
  }
}

function positiveInt(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || +v < 1) throw new UsageError(`${what} must be a positive whole number, not '${v}'`);
  return +v;
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await device(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot device: ${e.message}\n${e.usage ? `\n${help}` : "(see 'tinyiot device --help')"}\n`);
    return 2;
  }
}

async function device(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, kinds, Infinity);
  } catch (e) {
    if (!(e instanceof ArgsError)) throw e;
    throw new UsageError(e.message);
  }
  const { flags, positionals } = parsed;
  const o = {
    data: (flags.data as string | undefined) ?? DEFAULT_DATA_DIR,
    'hub-name': flags['hub-name'] as string | undefined,
    port: flags.port as string | undefined,
    ttl: (flags.ttl as string | undefined) ?? '3600',
    'hub-host': flags['hub-host'] as string | undefined,
    key: flags.key as string | undefined,
    json: flags.json === true,
  };
  const [cmd, id, ...extra] = positionals;
  if (!cmd) throw new UsageError(`missing subcommand (${COMMANDS.join(', ')})`, true);
  if (!COMMANDS.includes(cmd)) throw new UsageError(`unknown subcommand '${cmd}'`, true);
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (cmd !== 'list' && !id) throw new UsageError(`'${cmd}' needs a device id`);
  // An id IoT Hub would refuse is a mistake in the command, whichever subcommand names it.
  const badId = id === undefined ? undefined : idError('device id', id);
  if (badId) throw new UsageError(badId);
  const reg = new Registry(o.data);
  const info = running(o.data);
  const hubName = o['hub-name'] ?? info?.hubName ?? DEFAULT_HUB_NAME;
  const port = positiveInt(o.port, '--port') ?? info?.port ?? 8883;
  const cs = (d: Device) => connectionString(hubName, d, { host: '127.0.0.1', port });
  const need = (deviceId: string) => {
    const d = reg.get(deviceId);
    if (!d) throw new Error(`unknown device '${deviceId}' (see 'tinyiot device list --data ${o.data}')`);
    return d;
  };
  const out = (s: string) => process.stdout.write(s + '\n');
  switch (cmd) {
    case 'add':
      out(cs(reg.add(id!)));
      return 0;
    case 'connection-string':
      out(cs(need(id!)));
      return 0;
    case 'list': {
      const connected = new Set<string>();
      if (info) {
        try {
          const list = await hubApi<{ deviceId: string; connected: boolean }[]>(o.data, 'GET', '/api/devices');
          for (const d of list) if (d.connected) connected.add(d.deviceId);
        } catch {
          // a stale hub.json: list without connection states
        }
      }
      const rows = reg.list().map((d) => ({ deviceId: d.deviceId, created: d.created, connected: connected.has(d.deviceId) }));
      if (o.json) out(JSON.stringify(rows));
      else if (!rows.length) out(`no devices in ${o.data} (add one with 'tinyiot device add <id>')`);
      else for (const r of rows) out(`${r.deviceId}\t${r.created}${r.connected ? '\tconnected' : ''}`);
      return 0;
    }
    case 'remove':
      need(id!);
      if (info) {
        try {
          await hubApi(o.data, 'DELETE', devicePath(id!));
          out(`removed ${id}`);
          return 0;
        } catch (e) {
          if (!(e instanceof ServiceError) || e.status) throw e;
          // stale hub.json: nobody owns the files, edit them here
        }
      }
      reg.remove(id!);
      new TwinStore(join(o.data, 'twins.json')).delete(id!);
      new C2dQueue(join(o.data, 'c2d.json')).purge(id!);
      out(`removed ${id}`);
      return 0;
    case 'token': {
      const ttl = positiveInt(o.ttl, '--ttl')!;
      const expiry = Math.floor(Date.now() / 1000) + ttl;
      if ((o['hub-host'] === undefined) !== (o.key === undefined)) throw new UsageError('--hub-host and --key go together');
      const host = o['hub-host'] ?? hubName;
      const key = o.key ?? need(id!).primaryKey;
      out(sasToken(nodeCrypto(), deviceResourceUri(host, id!), key, expiry));
      return 0;
    }
  }
  throw new Error(`unreachable: ${cmd}`);
}
