// Device Provisioning Service over MQTT (docs/iothub.md): connect with a `registration` SAS token,
// PUT iotdps-register, then poll iotdps-get-operationstatus as told by retry-after (3 s when the
// service does not say) until 200 gives the assigned hub and device id. One connection, clean
// session, no reconnect: any failure ends the attempt and is reported once; the caller retries.
// Only index.ts imports this file: an app that never calls register() does not carry it.
import type { Hal } from '../../hal/types.js';
import { createClient } from '../mqtt/client.js';
import { withLimits } from '../mqtt/limits.js';
import { CLOCK } from './auth.js';
import { json } from './ctx.js';
import { idError } from './ids.js';
import { dpsResourceUri, sas } from './sas.js';
import { DPS_RES_FILTER, dpsPollTopic, dpsRegisterTopic, dpsUsername, parseDpsRes } from './topics.js';

export interface DpsOptions {
  idScope: string;
  registrationId: string;
  /** Base64 enrollment (or derived device) key. */
  key: string;
  /** Default global.azure-devices-provisioning.net. */
  host?: string;
  port?: number;
  tls?: boolean;
  ca?: string;
}

export interface Registration {
  assignedHub: string;
  deviceId: string;
}

/** Requests sent (register + polls) before giving up on an operation that never completes. */
const MAX = 20;

export function register(hal: Hal, o: DpsOptions, cb: (err: string | undefined, r?: Registration) => void): void {
  const ck = hal.clock, t = ck.time(), id = o.registrationId, to = withLimits().ackTimeout;
  const bad = idError('registration id', id) || (!o.idScope || !o.key) && 'idScope and key are required';
  if (bad) throw new Error('dps: ' + bad);
  if (!t) return cb(CLOCK);
  const c = createClient(hal, {
    host: o.host || 'global.azure-devices-provisioning.net', port: o.port || 8883, tls: o.tls !== false, ca: o.ca,
    clientId: id, username: dpsUsername(o.idScope, id), clean: true, reconnect: false,
    // Arguments checked above, so sasToken's own checks are not needed.
    password: sas(hal.crypto, dpsResourceUri(o.idScope, id), o.key, t + 3600, 'registration'),
  });
  // n: requests sent, -1 once finished. tm is a pending timer or one that just fired.
  let n = 0, tm = 0, op = '', last = '';
  const fin = (err?: string, r?: Registration) => {
    if (n < 0) return;
    n = -1;
    ck.clearTimer(tm);
    c.end();
    cb(err && 'dps: ' + err, r);
  };
  const ask = () => {
    if (n >= MAX) return fin('no result after ' + MAX + ' requests');
    tm = ck.setTimer(to, () => fin('no answer within ' + to + ' ms'));
    c.publish(op ? dpsPollTopic(++n, op) : dpsRegisterTopic(++n), op ? '' : JSON.stringify({ registrationId: id }), { qos: 1 });
  };
  c.on('connect', () => {
    c.subscribe([{ topic: DPS_RES_FILTER, qos: 1 }], (e) => e && fin(e));
    ask();
  });
  c.on('error', (m) => (last = m));
  c.on('close', (why) => fin(last || why));
  c.on('message', (tp, p) => {
    // `res/{status}/?$rid={n}[&retry-after={s}]`; a reply with a bad retry-after is no reply
    // (parseDpsRes gives null). Without retry-after (or with 0) the next poll is in 3 s.
    const x = parseDpsRes(tp), ra = (x && x.retryAfter) || 3, st = x && x.rid === '' + n && x.status;
    const j = json(p), s = j && j.registrationState;
    if (!st) return;
    ck.clearTimer(tm);
    if (j && j.operationId) op = j.operationId;
    if (st == 202 && !op) fin('no operationId in the answer');
    else if (st == 202 || st == 429) tm = ck.setTimer(ra * 1000, ask);
    else if (st == 200 && s && s.assignedHub && s.deviceId) fin(undefined, { assignedHub: s.assignedHub, deviceId: s.deviceId });
    else fin('status ' + st + (j && j.status ? ' ' + j.status : ''));
  });
  c.connect();
}
