// The local hub's device identities: registry.json in the data folder, readable only by its owner
// since it holds the device keys. Read afresh on every call, so a device added by `tinyiot device
// add` can connect to a hub that is already running.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { idError } from '../../firmware/iothub/ids.js';
import { readJson, writeJson } from './files.js';

export interface Device {
  deviceId: string;
  /** base64 of 32 random bytes, as IoT Hub generates them. */
  primaryKey: string;
  created: string;
}

interface RegistryFile {
  devices: Device[];
}

export class Registry {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'registry.json');
  }

  list(): Device[] {
    const f = readJson<RegistryFile>(this.path, { devices: [] });
    if (!Array.isArray(f.devices)) throw new Error(`${this.path}: 'devices' is not a list`);
    return f.devices;
  }

  get(deviceId: string): Device | undefined {
    return this.list().find((d) => d.deviceId === deviceId);
  }

  /** Throws on an invalid id or one already registered. */
  add(deviceId: string): Device {
    const err = idError('device id', deviceId);
    if (err) throw new Error(err);
    const devices = this.list();
    if (devices.some((d) => d.deviceId === deviceId)) throw new Error(`device '${deviceId}' already exists`);
    const d: Device = { deviceId, primaryKey: randomBytes(32).toString('base64'), created: new Date().toISOString() };
    this.save([...devices, d]);
    return d;
  }

  /** False when there was no such device. */
  remove(deviceId: string): boolean {
    const devices = this.list();
    const rest = devices.filter((d) => d.deviceId !== deviceId);
    if (rest.length === devices.length) return false;
    this.save(rest);
    return true;
  }

  private save(devices: Device[]): void {
    writeJson(this.path, { devices } satisfies RegistryFile, 0o600);
  }
}

/**
 * HostName names the hub (SAS resource URI, MQTT username); GatewayHostName is where devices and
 * the Azure SDKs actually connect.
 */
export function connectionString(hubName: string, d: Device, gateway?: { host: string; port: number }): string {
  const gw = gateway ? `;GatewayHostName=${gateway.host.includes(':') ? `[${gateway.host}]` : gateway.host}:${gateway.port}` : '';
  return `HostName=${hubName};DeviceId=${d.deviceId};SharedAccessKey=${d.primaryKey}${gw}`;
}
