// A local hub on a free loopback port over TLS with one registered device: what `tinyiot sim
// --hub local` and `tinyiot demo` both stand on.
import { connectionString } from './registry.js';
import { type Hub, startHub } from './server.js';

export interface LocalHub {
  hub: Hub;
  /** With the device key: handed to the firmware only, never printed. */
  connectionString: string;
}

/** Starts the hub in dataDir and registers deviceId (kept if the folder already has it). */
export async function openHub(dataDir: string, deviceId: string): Promise<LocalHub> {
  const hub = await startHub({ dataDir, port: 0, tls: true });
  try {
    const d = hub.registry.get(deviceId) ?? hub.registry.add(deviceId);
    return { hub, connectionString: connectionString(hub.hubName, d, { host: '127.0.0.1', port: hub.port }) };
  } catch (e) {
    await hub.stop();
    throw e;
  }
}
