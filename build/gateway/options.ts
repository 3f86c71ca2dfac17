// The gateway's options, and the constants its parts share.
import type { ConnLimits } from '../hub/limits.js';
import type { JournalLimits } from './journal.js';
import type { DeviceTopics } from './profiles.js';
import type { SessionLimits } from './session.js';
import type { HubAddress } from './upstream.js';

export interface GatewayOptions {
  dataDir: string;
  /** Default 8883 with TLS, 1883 without; 0 picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1 (give 0.0.0.0 for the LAN). */
  host?: string;
  /** TLS with this certificate and key; 'self' (the default) makes a CA and certificate in the data folder; false is plain TCP. */
  tls?: { cert: string; key: string } | 'self' | false;
  /** Serial lines carrying MQTT, one device session at a time each. */
  serial?: { path: string; baudRate?: number }[];
  /** Where IoT Hub is, overriding the connection strings; required for passthrough devices. */
  hub?: HubAddress;
  /** PEM of the CA the hub's certificate chains to (the local hub's ca.pem). */
  hubCa?: string;
  /** Lifetime of the gateway's SAS tokens, seconds (default 3600); renewed at 80%. */
  tokenTtlS?: number;
  topics?: DeviceTopics;
  journal?: Partial<JournalLimits>;
  session?: Partial<SessionLimits>;
  connections?: Partial<ConnLimits>;
  log?: (line: string) => void;
}

/** Where the default profile's status messages (the store is full) go, and the transparent one's. */
export const STATUS_TOPIC = '$gateway/status';

/** How long a device's CONNECT waits for its new upstream connection before it is let in anyway. */
export const UPSTREAM_WAIT_MS = 5000;
