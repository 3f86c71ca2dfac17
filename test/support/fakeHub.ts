// A fake Azure IoT Hub and a fake Device Provisioning Service for unit tests, on the far end of an
// emulated link (hal/emulated/link.ts) in virtual time. They behave the way docs/iothub.md describes the
// real services, checked independently of firmware/iothub: SAS tokens are verified with node:crypto,
// topics and property bags are parsed here with the platform's URL functions. Like IoT Hub they
// never send error packets: a violation closes the connection, and so does an expiring token.
import { createDevice, type DeviceOptions } from '../../firmware/iothub/device.js';
import type { ConnectOptions, Hal } from '../../hal/types.js';
import type { ConnectPacket, Packet, PublishPacket } from '../../firmware/mqtt/codec/packet.js';
import { VirtualClock } from '../../hal/emulated/clock.js';
import { createLink, type Link } from '../../hal/emulated/link.js';
import { checkSas, KEY, linkHal, parseBag, ServerConn } from './fakeServer.js';

// Tests and fakeDps.ts take these from here.
export { checkSas, KEY, ServerConn };

const txt = (p: Uint8Array) => Buffer.from(p).toString('utf8');

interface Session {
  subs: string[];
  c2d: PublishPacket[];
  conn?: ServerConn;
  se?: number;
}

export interface Telemetry {
  deviceId: string;
  topic: string;
  props: Record<string, string | null>;
  body: string;
  bytes: number[];
  dup: boolean;
}

const TWIN_RES = '$iothub/twin/res/#';
const DESIRED = '$iothub/twin/PATCH/properties/desired/#';
const METHODS = '$iothub/methods/POST/#';

export class FakeHub {
  readonly link: Link;
  /** Human-readable events: connect, refuse, expire, close, subscribe ... */
  readonly log: string[] = [];
  /** Anything a real hub would hold against the device (a token used after expiry, QoS 2 ...). */
  readonly violations: string[] = [];
  readonly connects: { p: ConnectPacket; opts: ConnectOptions; se?: number; at: number }[] = [];
  readonly telemetry: Telemetry[] = [];
  readonly twinRequests: { topic: string; body: string }[] = [];
  readonly methodResults: Record<string, { status: number; body: any }> = {};
  /** Scripted answers to the next twin requests: a status (no body), or 'silent' for none. */
  twinReplies: (number | 'silent')[] = [];
  /** Filters to refuse (0x80) in SUBACK. */
  readonly refuseFilters: string[] = [];
  readonly twins: Record<string, { desired: any; reported: any }> = {};
  readonly sessions: Record<string, Session> = {};
  private nid = 1;
  private rid = 0;

  constructor(readonly clock: VirtualClock, readonly host = 'hub.test',
    readonly devices: Record<string, { key?: string; x509?: boolean }> = { d1: { key: KEY } }) {
    this.link = createLink({ clock });
    this.link.server.onConnection((peer) => new ServerConn(peer, clock, (c, p) => this.packet(c, p)));
  }

  /** A HAL on this hub's link: the test's clock, Node's HMAC, memory storage, fixed jitter. */
  hal(): Hal {
    return linkHal(this.clock, this.link);
  }

  twin(id: string) {
    return (this.twins[id] ??= { desired: { $version: 1 }, reported: { $version: 1 } });
  }

  conn(id: string): ServerConn | undefined {
    const c = this.sessions[id]?.conn;
    return c && !c.closed ? c : undefined;
  }

  /** The connection drops from the network's side (no DISCONNECT from anyone). */
  drop(id: string): void {
    this.link.faults.drop();
    this.log.push('drop ' + id);
  }

  c2d(id: string, body: string, props: Record<string, string>): void {
    const bag = Object.entries(props).map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
    const s = this.session(id);
    const p: PublishPacket = { type: 3, topic: `devices/${id}/messages/devicebound/${bag}`, payload: Buffer.from(body), qos: 1, retain: false, dup: false, id: this.nid++ };
    s.c2d.push(p);
    this.deliver(id);
  }

  /** Sends the pending cloud-to-device messages not yet sent on this connection (DUP if sent before). */
  private deliver(id: string): void {
    const s = this.session(id), c = this.conn(id);
    if (!c?.connect || !s.subs.includes(`devices/${id}/messages/devicebound/#`)) return;
    for (const m of s.c2d) {
      if (c.sent.has(m.id!)) continue;
      c.sent.add(m.id!);
      c.send(m);
      m.dup = true;
    }
  }

  setDesired(id: string, patch: Record<string, unknown>): void {
    const t = this.twin(id);
    Object.assign(t.desired, patch, { $version: t.desired.$version + 1 });
    if (this.session(id).subs.includes(DESIRED)) {
      this.conn(id)?.publish(`$iothub/twin/PATCH/properties/desired/?$version=${t.desired.$version}`, JSON.stringify({ ...patch, $version: t.desired.$version }));
    }
  }

  /** Calls a direct method; the result lands in methodResults under the returned request id. */
  invoke(id: string, name: string, payload: unknown): string {
    const rid = (++this.rid).toString(16);
    this.conn(id)?.publish(`$iothub/methods/POST/${name}/?$rid=${rid}`, JSON.stringify(payload));
    return rid;
  }

  /** Closes every connection whose token has expired (runs on its own at each expiry; call it after moving clock.epoch). */
  expire(): void {
    for (const [id, s] of Object.entries(this.sessions)) {
      if (s.conn && !s.conn.closed && s.se && this.clock.time() >= s.se) {
        this.log.push('expire ' + id);
        s.conn.close();
      }
    }
  }

  private session(id: string): Session {
    return (this.sessions[id] ??= { subs: [], c2d: [] });
  }

  private refuse(c: ServerConn, rc: number, why: string): void {
    this.log.push('refuse ' + why);
    c.send({ type: 2, sessionPresent: false, rc });
    c.close();
  }

  private packet(c: ServerConn, p: Packet): void {
    const now = this.clock.time();
    const id = c.connect?.clientId.split('/')[0] ?? '';
    const s = c.connect && this.session(c.connect.clientId);
    if (s?.se && now >= s.se) this.violations.push(`${id}: packet type ${p.type} on a token that expired at ${s.se}, now ${now}`);
    if (p.type === 1) return this.hello(c, p);
    if (!s) return c.close();
    if (p.type === 3) {
      if (p.qos === 2) {
        this.violations.push(`${id}: QoS 2 publish`);
        return c.close();
      }
      if (p.qos) c.send({ type: 4, id: p.id! });
      return this.publish(c, id, s, p);
    }
    if (p.type === 4) s.c2d = s.c2d.filter((m) => m.id !== p.id);
    else if (p.type === 8) {
      const codes = p.subs.map((x) => {
        const ok = [TWIN_RES, DESIRED, METHODS, `devices/${id}/messages/devicebound/#`].includes(x.topic) && !this.refuseFilters.includes(x.topic);
        if (ok && !s.subs.includes(x.topic)) s.subs.push(x.topic);
        return ok && s.subs.length <= 5 ? Math.min(x.qos, 1) : 0x80;
      });
      this.log.push(`subscribe ${id} ${p.subs.map((x) => x.topic + ' q' + x.qos).join(' ')}`);
      c.send({ type: 9, id: p.id, codes });
      this.deliver(id);
    } else if (p.type === 12) c.send({ type: 13 });
    else if (p.type === 14) {
      this.log.push('disconnect ' + id);
      c.close();
    } else c.close();
  }

  private hello(c: ServerConn, p: ConnectPacket): void {
    const [id = '', mod] = p.clientId.split('/');
    const dev = this.devices[id];
    const now = this.clock.time();
    const entry: (typeof this.connects)[number] = { p, opts: c.peer.opts, at: now };
    this.connects.push(entry);
    if (!dev) return this.refuse(c, 2, 'unknown device ' + id);
    const want = `${this.host}/${p.clientId}/?api-version=2021-04-12`;
    if (!p.username || (p.username !== want && !p.username.startsWith(want + '&model-id='))) return this.refuse(c, 4, 'username ' + p.username);
    if (p.keepalive > 1177) return this.refuse(c, 4, 'keepalive ' + p.keepalive);
    let se: number | undefined;
    if (p.password) {
      const uri = `${this.host}/devices/${id}${mod ? '/modules/' + mod : ''}`;
      const r = checkSas(txt(p.password), uri, dev.key ?? '', now);
      if (typeof r === 'string') {
        if (r.startsWith('expired')) this.violations.push(`${id}: CONNECT with a token that ${r}`);
        return this.refuse(c, 5, r);
      }
      se = entry.se = r;
    } else if (!dev.x509 || !c.peer.opts.cert) return this.refuse(c, 5, 'no password and no client certificate');
    const s = this.session(p.clientId);
    const present = !p.clean && !!s.conn;
    if (p.clean) (s.subs = []), (s.c2d = []);
    const old = s.conn;
    s.conn = c;
    if (old && !old.closed) (this.log.push('kick ' + id), old.close());
    s.se = se;
    if (se) {
      // IoT Hub closes the connection the moment its token expires.
      const t = this.clock.setTimer((se - this.clock.epoch) * 1000 - this.clock.now(), () => this.expire());
      c.onEnd = () => this.clock.clearTimer(t);
    }
    this.log.push(`connect ${p.clientId} sp=${+present}`);
    c.connect = p;
    c.send({ type: 2, sessionPresent: present, rc: 0 });
    this.deliver(id);
  }

  private publish(c: ServerConn, id: string, s: Session, p: PublishPacket): void {
    const t = p.topic, body = txt(p.payload);
    const tel = new RegExp(`^devices/${c.connect!.clientId.replace('/', '/modules/')}/messages/events/(.*)$`).exec(t);
    if (tel) return void this.telemetry.push({ deviceId: id, topic: t, props: parseBag(tel[1]!), body, bytes: [...p.payload], dup: p.dup });
    const tw = /^\$iothub\/twin\/(GET|PATCH\/properties\/reported)\/\?\$rid=(.+)$/.exec(t);
    if (tw) {
      this.twinRequests.push({ topic: t, body });
      if (!s.subs.includes(TWIN_RES)) return void this.violations.push(`${id}: twin request before subscribing ${TWIN_RES}`);
      const r = this.twinReplies.shift(), rid = tw[2]!, twin = this.twin(id);
      if (r === 'silent') return;
      if (r) return c.publish(`$iothub/twin/res/${r}/?$rid=${rid}`, '');
      if (tw[1] === 'GET') return c.publish(`$iothub/twin/res/200/?$rid=${rid}`, JSON.stringify(twin));
      const patch = JSON.parse(body);
      Object.assign(twin.reported, patch, { $version: twin.reported.$version + 1 });
      return c.publish(`$iothub/twin/res/204/?$rid=${rid}&$version=${twin.reported.$version}`, '');
    }
    const mr = /^\$iothub\/methods\/res\/(\d{3})\/\?\$rid=(.+)$/.exec(t);
    if (mr) return void (this.methodResults[mr[2]!] = { status: +mr[1]!, body: JSON.parse(body) });
    this.violations.push(`${id}: publish to ${t}`);
    c.close();
  }
}

/** A device on a fresh fake hub, its events recorded as "connect", "close <reason>", "error <msg>". */
export function online(opts: Partial<DeviceOptions> = {}, hubOpts: { epoch?: number; devices?: FakeHub['devices'] } = {}) {
  const clock = new VirtualClock(hubOpts.epoch);
  const hub = new FakeHub(clock, 'hub.test', hubOpts.devices);
  const hal = hub.hal();
  const dev = createDevice(hal, { connectionString: `HostName=hub.test;DeviceId=d1;SharedAccessKey=${KEY}`, ...opts });
  const events: string[] = [];
  dev.on('connect', () => events.push('connect'));
  dev.on('close', (r) => events.push('close ' + r));
  dev.on('error', (m) => events.push('error ' + m));
  return { clock, hub, hal, dev, events };
}
