// The devices a gateway knows: devices.json in its data folder, owner-only (0600, folder 0700).
// Each device has a LAN secret, kept only as its SHA-256 (32 random bytes need no slow hash), and
// an upstream credential: its IoT Hub connection string, held here so the gateway signs its own
// tokens and renews them, or `passthrough`, where the device's own SAS token goes to IoT Hub
// unchanged and IoT Hub decides. The secret itself is written once, to an owner-only file whose
// path `device add` prints; it is never printed. Read afresh on every look-up, so `tinyiot
// gateway device add` works while the gateway runs.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConnectionString, parseConnectionString } from '../../firmware/iothub/connstr.js';
import { idError } from '../../firmware/iothub/ids.js';
import { DIR_MODE, FILE_MODE, readJson, writeJson } from '../hub/files.js';
import { type ProfileName, PROFILES } from './profiles.js';

export interface GatewayDevice {
  deviceId: string;
  profile: ProfileName;
  /** hex SHA-256 of the LAN secret. */
  secretSha256: string;
  /** The device's IoT Hub connection string; absent for passthrough. */
  connectionString?: string;
  passthrough?: boolean;
  created: string;
}

export interface AddOptions {
  profile?: ProfileName;
  connectionString?: string;
  passthrough?: boolean;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The parsed connection string, or an Error naming what is wrong (never quoting the key). */
export function upstreamOf(d: GatewayDevice): ConnectionString {
  const cs = parseConnectionString(d.connectionString ?? '');
  if (cs.deviceId !== d.deviceId) throw new Error(`device '${d.deviceId}': its connection string is for '${cs.deviceId}'`);
  if (!cs.sharedAccessKey) throw new Error(`device '${d.deviceId}': its connection string has no SharedAccessKey`);
  return cs;
}

export class GatewayRegistry {
  readonly path: string;
  readonly secretsDir: string;

  constructor(readonly dataDir: string) {
    this.path = join(dataDir, 'devices.json');
    this.secretsDir = join(dataDir, 'secrets');
  }

  list(): GatewayDevice[] {
    const f = readJson<{ devices?: unknown }>(this.path, { devices: [] });
    if (!Array.isArray(f.devices)) throw new Error(`${this.path}: 'devices' is not a list`);
    return f.devices as GatewayDevice[];
  }

  get(deviceId: string): GatewayDevice | undefined {
    return this.list().find((d) => d.deviceId === deviceId);
  }

  /** True when `secret` is the device's LAN secret (compared in constant time). */
  secretMatches(d: GatewayDevice, secret: string): boolean {
    const a = Buffer.from(sha256(secret), 'hex');
    const b = Buffer.from(d.secretSha256, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Registers the device and writes its new LAN secret to an owner-only file; returns that file's path. */
  add(deviceId: string, opts: AddOptions = {}): { device: GatewayDevice; secretPath: string } {
    const err = idError('device id', deviceId);
    if (err) throw new Error(err);
    const profile = opts.profile ?? 'default';
    if (!PROFILES.includes(profile)) throw new Error(`unknown profile '${profile}' (known: ${PROFILES.join(', ')})`);
    if (!!opts.passthrough === !!opts.connectionString) throw new Error('give a device either its connection string or passthrough, not both or neither');
    const devices = this.list();
    if (devices.some((d) => d.deviceId === deviceId)) throw new Error(`device '${deviceId}' already exists`);
    const secret = randomBytes(32).toString('base64url');
    const device: GatewayDevice = { deviceId, profile, secretSha256: sha256(secret), created: new Date().toISOString() };
    if (opts.passthrough) device.passthrough = true;
    else {
      device.connectionString = opts.connectionString!.trim();
      upstreamOf(device); // refuses a string that does not parse or is another device's
    }
    mkdirSync(this.secretsDir, { recursive: true, mode: DIR_MODE });
    chmodSync(this.secretsDir, DIR_MODE);
    const secretPath = join(this.secretsDir, `${deviceId}.secret`);
    writeFileSync(secretPath, secret + '\n', { mode: FILE_MODE });
    chmodSync(secretPath, FILE_MODE);
    writeJson(join(this.path), { devices: [...devices, device] });
    return { device, secretPath };
  }

  /** False when there was no such device; its secret file goes too. */
  remove(deviceId: string): boolean {
    const devices = this.list();
    const rest = devices.filter((d) => d.deviceId !== deviceId);
    if (rest.length === devices.length) return false;
    writeJson(this.path, { devices: rest });
    rmSync(join(this.secretsDir, `${deviceId}.secret`), { force: true });
    return true;
  }
}
