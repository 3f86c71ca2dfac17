// The hub's options, the types it hands out, and hub.json, the record a running hub leaves in
// its data folder for the CLI (service.ts) to find it.
import { isIP } from 'node:net';
import type { PropertyBag } from '../../firmware/iothub/propbag.js';
import type { HubClock } from './conn.js';
import type { ConnLimits } from './limits.js';

export interface HubOptions {
  dataDir: string;
  /** MQTT port; 0 picks a free one. Default 8883. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. Plain TCP is refused on anything but loopback. */
  host?: string;
  /** Default true. */
  tls?: boolean;
  /** The name in SAS resource URIs and user names (a connection string's HostName). Default localhost. */
  hubName?: string;
  /** Port of the loopback HTTP API; default 0 (a free port, written to hub.json). */
  httpPort?: number;
  /** Default time to live of cloud-to-device messages, ms. Default 1 hour. */
  c2dTtlMs?: number;
  /** Time for SAS expiry, the token-expiry disconnect and C2D time to live; default real time. */
  clock?: HubClock;
  /** The hub's own bounds on connections (limits.ts DEFAULT_LIMITS for what is left out). */
  limits?: Partial<ConnLimits>;
  /** Hears every log line from the start, before startHub returns (e.g. stored messages dropped). */
  log?: (line: string) => void;
}

export interface HubInfo {
  pid: number;
  hubName: string;
  host: string;
  port: number;
  httpPort: number;
  tls: boolean;
  caPath?: string;
}

export const DEFAULT_HUB_NAME = 'localhost';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export interface TelemetryEvent {
  deviceId: string;
  props: PropertyBag;
  body: Buffer;
  time: string;
}

/** An id not in the registry: the service API's 404. */
export class DeviceError extends Error {
  readonly status = 404;
}
