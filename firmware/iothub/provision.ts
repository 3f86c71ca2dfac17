// DPS then IoT Hub in one call: register() (dps.ts) finds the device's hub and id, then the device
// is created for that hub. With symmetric-key attestation the key that signed the registration
// (an individual enrollment's key, or a group's derived device key) is also the device's key at
// the hub, so the app gives it once. The device is handed over unconnected: handlers go on first
// (their subscriptions then follow the CONNACK), then connect(). Provisioning again on every boot
// is allowed but slow and throttled by DPS; an app can keep the Registration in hal.storage and
// call createDevice itself next time. Like dps.ts, only index.ts imports this file.
import type { Hal } from '../../hal/types.js';
import { createDevice, type Device, type DeviceOptions } from './device.js';
import { type DpsOptions, register } from './dps.js';

/** Everything createDevice takes except what DPS decides (host, deviceId) and the key. */
export type ProvisionedOptions = Omit<DeviceOptions, 'connectionString' | 'host' | 'deviceId' | 'key'>;

export function provision(hal: Hal, d: DpsOptions, o: ProvisionedOptions, cb: (err: string | undefined, dev?: Device) => void): void {
  register(hal, d, (err, r) => {
    if (!r) return cb(err);
    const x: any = { host: r.assignedHub, deviceId: r.deviceId, key: d.key };
    for (const k in o) if (!(k in x)) x[k] = (o as any)[k];
    let dev;
    // The assignment came off the wire: a device id createDevice refuses is an error, not a throw.
    try {
      dev = createDevice(hal, x);
    } catch (e) {
      return cb('dps: ' + (e as Error).message);
    }
    cb(undefined, dev);
  });
}
