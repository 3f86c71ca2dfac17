// The shape of every MQTT 3.1.1 control packet as the codec sees it.
// Type codes are the wire's own (first byte >> 4), so no lookup table is needed.

export const CONNECT = 1;
export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const PUBREC = 5;
export const PUBREL = 6;
export const PUBCOMP = 7;
export const SUBSCRIBE = 8;
export const SUBACK = 9;
export const UNSUBSCRIBE = 10;
export const UNSUBACK = 11;
export const PINGREQ = 12;
export const PINGRESP = 13;
export const DISCONNECT = 14;

/** The flags PUBREL, SUBSCRIBE and UNSUBSCRIBE must carry, 0010 [MQTT-3.6.1-1, 3.8.1-1, 3.10.1-1]; 0000 elsewhere but PUBLISH. */
export const reservedFlags = (type: number) => (type == PUBREL || type == SUBSCRIBE || type == UNSUBSCRIBE ? 2 : 0);

export type QoS = 0 | 1 | 2;

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface ConnectPacket {
  type: 1;
  clientId: string;
  clean: boolean;
  /** Seconds. */
  keepalive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
}

export interface ConnackPacket {
  type: 2;
  sessionPresent: boolean;
  /** Return code, 0 = accepted, 1..5 = refused (see connackReason). */
  rc: number;
}

export interface PublishPacket {
  type: 3;
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present only when qos > 0. */
  id?: number;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: a packet id and nothing else. */
export interface AckPacket {
  type: 4 | 5 | 6 | 7 | 11;
  id: number;
}

export interface Subscription {
  topic: string;
  qos: QoS;
}

export interface SubscribePacket {
  type: 8;
  id: number;
  subs: Subscription[];
}

export interface SubackPacket {
  type: 9;
  id: number;
  /** 0, 1, 2 = granted QoS; 0x80 = failure for that filter. */
  codes: number[];
}

export interface UnsubscribePacket {
  type: 10;
  id: number;
  topics: string[];
}

/** PINGREQ, PINGRESP, DISCONNECT. */
export interface EmptyPacket {
  type: 12 | 13 | 14;
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | AckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | EmptyPacket;

/**
 * A wire error: a string that starts with the spec clause it breaks,
 * e.g. "[MQTT-1.5.3-1] invalid UTF-8 in topic". Returned, never thrown.
 */
export type WireError = string;
