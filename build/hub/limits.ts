// Every bound the hub puts on what devices and service callers can make it hold, in one place.
// IoT Hub's own numbers (docs/hub-limits.md gives the public sources) are fixed, so that a
// device that works here stays inside what the real service accepts. The hub's own numbers, for
// what IoT Hub does not publish (connections, subscriptions, messages in flight, the TLS
// handshake), have defaults a development machine can carry and a `tinyiot hub` flag each.

/** IoT Hub's twin rules: 32 KB each for desired and reported, 10 levels, 1 KB keys, 4 KB strings. */
export const TWIN_LIMITS = {
  maxSideBytes: 32 * 1024,
  /** A single patch, measured as JSON, before anything else is looked at. */
  maxPatchBytes: 32 * 1024,
  maxDepth: 10,
  maxKeyBytes: 1024,
  maxStringBytes: 4 * 1024,
} as const;

/** IoT Hub's cloud-to-device limits: 64 KB a message, 2 days to live at most, 50 queued a device. */
export const C2D_LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxTtlMs: 2 * 24 * 3600 * 1000,
  defaultTtlMs: 3600 * 1000,
  maxPerDevice: 50,
} as const;

/** IoT Hub's device-to-cloud message size. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** IoT Hub's direct-method payload size and longest response timeout (seconds). */
export const METHOD_LIMITS = { maxPayloadBytes: 128 * 1024, maxTimeoutS: 300 } as const;

/** The hub's own bounds; each has a `tinyiot hub` flag (LIMIT_FLAGS). */
export interface ConnLimits {
  /** QoS 1 messages the hub has sent on one connection and not had acknowledged. */
  maxInflight: number;
  /** Topic filters one connection may hold. */
  maxSubscriptions: number;
  /** Open connections in total, authenticated or not. */
  maxConnections: number;
  /** Open connections from one remote address. */
  maxConnectionsPerAddress: number;
  /** Time for the TLS handshake, ms. */
  handshakeTimeoutMs: number;
  /** Time from the end of the handshake to CONNECT, ms. */
  connectTimeoutMs: number;
}

export const DEFAULT_LIMITS: ConnLimits = {
  maxInflight: 100,
  maxSubscriptions: 50,
  maxConnections: 1000,
  maxConnectionsPerAddress: 200,
  handshakeTimeoutMs: 10_000,
  connectTimeoutMs: 30_000,
};

/** `tinyiot hub` flag -> the limit it sets, and the unit the flag takes. */
export const LIMIT_FLAGS: Record<string, { key: keyof ConnLimits; unit: 'count' | 'seconds' }> = {
  'max-inflight': { key: 'maxInflight', unit: 'count' },
  'max-subscriptions': { key: 'maxSubscriptions', unit: 'count' },
  'max-connections': { key: 'maxConnections', unit: 'count' },
  'max-connections-per-address': { key: 'maxConnectionsPerAddress', unit: 'count' },
  'handshake-timeout': { key: 'handshakeTimeoutMs', unit: 'seconds' },
  'connect-timeout': { key: 'connectTimeoutMs', unit: 'seconds' },
};

/** The packet-id space bounds messages in flight: a connection can never have more than this. */
export const MAX_INFLIGHT = 65535;

/** `limits` filled from the defaults; throws naming the first value that is not a positive integer. */
export function connLimits(limits: Partial<ConnLimits> = {}): ConnLimits {
  const all = { ...DEFAULT_LIMITS, ...limits };
  for (const [k, v] of Object.entries(all)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`limit ${k} must be a positive whole number, not ${v}`);
  }
  if (all.maxInflight > MAX_INFLIGHT) throw new Error(`limit maxInflight may be at most ${MAX_INFLIGHT} (MQTT packet ids)`);
  return all;
}
