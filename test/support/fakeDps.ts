// A fake Device Provisioning Service (MQTT API, docs/iothub.md) on an emulated link, in virtual time (or
// real time with realClock, next to a real hub: test/integration/iothub-dps.test.ts):
// checks the registration SAS token (skn=registration) with node:crypto, answers the register PUT
// with 202 + retry-after, and the operation-status polls with 202 until `polls` of them were made,
// then 200 with the assignment. Every request is logged with its clock time (clock.now()).
import type { Clock, Hal } from '../../hal/types.js';
import type { ConnectPacket, Packet } from '../../firmware/mqtt/codec/packet.js';
import { createLink, type Link } from '../../hal/emulated/link.js';
import { checkSas, KEY, ServerConn } from './fakeHub.js';
import { linkHal } from './fakeServer.js';

export class FakeDps {
  readonly link: Link;
  readonly log: string[] = [];
  readonly connects: { p: ConnectPacket; at: number }[] = [];
  /** [virtual ms, topic, body] of every PUBLISH received. */
  readonly requests: [number, string, string][] = [];
  /** Operation-status polls answered 202 before the 200. */
  polls = 2;
  retryAfter: number | undefined = 2;
  /** Scripted statuses for the next requests (with a body naming the status), or 'silent'. */
  replies: (number | 'silent')[] = [];
  /** Final registration status; anything but 'assigned' comes without assignment. */
  result = 'assigned';

  constructor(readonly clock: Clock, readonly idScope = '0ne00000001', readonly regId = 'dev-1', readonly key = KEY,
    readonly assigned = { assignedHub: 'hub-7.azure-devices.net', deviceId: 'dev-1' }) {
    this.link = createLink({ clock });
    this.link.server.onConnection((peer) => new ServerConn(peer, clock, (c, p) => this.packet(c, p)));
  }

  hal(): Hal {
    return linkHal(this.clock, this.link);
  }

  private packet(c: ServerConn, p: Packet): void {
    if (p.type === 1) {
      this.connects.push({ p, at: this.clock.time() });
      const want = `${this.idScope}/registrations/${this.regId}/api-version=2019-03-31`;
      const pw = p.password ? Buffer.from(p.password).toString() : undefined;
      const r = checkSas(pw, `${this.idScope}/registrations/${this.regId}`, this.key, this.clock.time(), 'registration');
      const why = p.clientId !== this.regId ? 'clientId ' + p.clientId : p.username !== want ? 'username ' + p.username
        : !p.clean ? 'clean=0' : typeof r === 'string' ? r : '';
      this.log.push(why ? 'refuse ' + why : 'connect ' + p.clientId);
      c.send({ type: 2, sessionPresent: false, rc: why ? 5 : 0 });
      if (why) c.close();
      else c.connect = p;
      return;
    }
    if (!c.connect) return c.close();
    if (p.type === 8) {
      this.log.push('subscribe ' + p.subs.map((s) => s.topic).join(' '));
      return c.send({ type: 9, id: p.id, codes: p.subs.map((s) => (s.topic === '$dps/registrations/res/#' ? 1 : 0x80)) });
    }
    if (p.type === 12) return c.send({ type: 13 });
    if (p.type === 14) return (this.log.push('disconnect'), c.close());
    if (p.type !== 3) return c.close();
    if (p.qos) c.send({ type: 4, id: p.id! });
    const body = Buffer.from(p.payload).toString();
    this.requests.push([this.clock.now(), p.topic, body]);
    const put = /^\$dps\/registrations\/PUT\/iotdps-register\/\?\$rid=([^&]+)$/.exec(p.topic);
    const get = /^\$dps\/registrations\/GET\/iotdps-get-operationstatus\/\?\$rid=([^&]+)&operationId=(.+)$/.exec(p.topic);
    const rid = (put ?? get)?.[1];
    if (!rid || (put && JSON.parse(body).registrationId !== this.regId) || (get && decodeURIComponent(get[2]!) !== 'op/1 x')) {
      this.log.push('bad request ' + p.topic);
      return c.close();
    }
    const res = (st: number, b: object) =>
      c.publish(`$dps/registrations/res/${st}/?$rid=${rid}${st === 202 && this.retryAfter !== undefined ? '&retry-after=' + this.retryAfter : ''}`, JSON.stringify(b));
    const scripted = this.replies.shift();
    if (scripted === 'silent') return;
    if (scripted) return res(scripted, { errorCode: scripted * 1000, message: 'scripted ' + scripted });
    // The operation id has characters that must be URL-encoded in the poll topic.
    if (put || this.polls-- > 0) return res(202, { operationId: 'op/1 x', status: 'assigning' });
    res(200, {
      operationId: 'op/1 x', status: this.result,
      registrationState: this.result === 'assigned' ? { registrationId: this.regId, ...this.assigned, status: 'assigned' } : { status: this.result },
    });
  }
}
