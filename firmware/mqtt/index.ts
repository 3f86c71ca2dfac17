// The MQTT client's public surface.
export { createClient, type Client, type ClientOptions } from './client.js';
export { connackReason } from './session.js';
export { defaultLimits, withLimits, type Limits } from './limits.js';
export type { PublishPacket, QoS, Subscription } from './codec/packet.js';
