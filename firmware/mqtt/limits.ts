// Every capacity and timing bound of the MQTT client in one place; a board file may override any.

export interface Limits {
  /** Largest incoming packet accepted, in bytes (whole packet, header included). */
  maxPacket: number;
  /** Outgoing QoS 1/2 PUBLISHes awaiting acknowledgement at once. */
  inflight: number;
  /** Bytes of encoded packets held until done: queued and unacknowledged PUBLISHes (docs/offline-queue.md). */
  queueBytes: number;
  /** Reconnect backoff: first delay and cap, ms (full jitter in between). */
  backoffMin: number;
  backoffMax: number;
  /** Seconds; 0 turns keepalive off. */
  keepalive: number;
  /** How long to wait for CONNACK, SUBACK, UNSUBACK or PINGRESP, ms. */
  ackTimeout: number;
  /**
   * Incoming QoS 2 messages delivered and awaiting their PUBREL at once. One more closes the
   * connection (a server that never releases them would otherwise fill the heap); after a
   * reconnect the server sends its PUBRELs again [MQTT-4.4.0-1]. Mosquitto sends at most 20 at once.
   */
  incomingQos2: number;
}

export const defaultLimits: Limits = {
  maxPacket: 4096,
  inflight: 8,
  queueBytes: 8192,
  backoffMin: 1000,
  backoffMax: 60000,
  keepalive: 60,
  ackTimeout: 10000,
  incomingQos2: 32,
};

/**
 * The defaults, with each number `over` gives on top. The defaults are the new object's prototype,
 * not copied into it: on Espruino a copy costs two blocks per limit (the names are longer than a
 * block holds), kept as long as its client; this one costs a block per limit given.
 */
export function withLimits(over?: Partial<Limits>): Limits {
  const l: any = Object.create(defaultLimits);
  for (const k in defaultLimits) {
    const v = over && (over as any)[k];
    if (typeof v == 'number') l[k] = v;
  }
  return l;
}
