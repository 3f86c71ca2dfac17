// The client in virtual time over the scripted transport (fakeTransport.ts), with its events logged.
// Shared by test/firmware/mqtt/client-*.test.ts.
import { expect } from 'vitest';
import { type ClientOptions, createClient } from '../../firmware/mqtt/client.js';
import type { PublishPacket } from '../../firmware/mqtt/codec/packet.js';
import { fakeHal } from './fakeTransport.js';

const base: ClientOptions = { host: 'broker.test', port: 8883, tls: true, clientId: 'dev1', clean: false };

export function setup(opts: Partial<ClientOptions> = {}, h: Parameters<typeof fakeHal>[0] = {}) {
  const f = fakeHal(h);
  const c = createClient(f.hal, { ...base, ...opts });
  const log: string[] = [];
  const msgs: [string, string][] = [];
  c.on('connect', (sp) => log.push('connect ' + sp));
  c.on('close', (r) => log.push('close ' + r));
  c.on('error', (m) => log.push('error ' + m));
  c.on('message', (t, p) => msgs.push([t, new TextDecoder().decode(p)]));
  /** connect() (once), open the newest connection, take its CONNECT, answer CONNACK. */
  const online = (sp = false) => {
    const conn = f.transport.last;
    conn.open();
    expect(conn.types()).toEqual([1]);
    conn.connack(0, sp);
    return conn;
  };
  return { ...f, c, log, msgs, online };
}

export const txt = (p: unknown) => new TextDecoder().decode((p as PublishPacket).payload);
