// Device twin: GET and reported-property PATCH as request/response pairs correlated by $rid, and
// desired-property notifications.
// - A request's answer is awaited for limits.ackTimeout ms counted from the moment the hub has it
//   (PUBACK; the write for QoS 0). A request made offline waits in the outbox like telemetry.
// - 429 (throttled) and 5xx are retried up to 3 times with the same $rid, after backoffMin << try
//   ms plus jitter; other statuses >= 300 fail the request with "twin: status N".
// - The hub sends desired patches only while the device is connected, so with an onDesired handler
//   the twin is fetched after every connect (and at once if the handler comes while connected), and
//   a newer desired document goes to the handler whole (full = true). Without a handler nothing is
//   fetched: the fetch would only feed the handler, since nothing is cached here; getTwin() always
//   asks the hub, so it never answers with a document from before a reconnect.
// A request's closures live only while it is pending: a device at rest holds none.
import { type Callback, type DeviceState, json, type PendingTwin, SUB_TWIN } from './ctx.js';
import { parseDesired, parseTwinRes, twinTopic } from './topics.js';

/** Sends a GET (body '') or a reported PATCH; cb gets the twin, or the new reported $version. */
export function twinRequest(this: DeviceState, body: string, cb: Callback): void {
  // Pending requests by number: a $rid from the wire such as "constructor" finds nothing.
  const dev = this, pending = dev.twinPending_ || (dev.twinPending_ = {}), rid = ++dev.lastRid_, clock = dev.hal_.clock, timeout = dev.answerTimeout_;
  // timer: the answer timeout or the retry delay; 0 while the request waits in the outbox.
  let tries = 0, timer = 0;
  // Once: a publish error can still come after end() or a timeout settled the request.
  const settle: Callback = (err, value) => {
    if (pending[rid]) clock.clearTimer(timer), delete pending[rid], cb(err, value);
  };
  const send = () => {
    timer = 0;
    dev.client_.publish(twinTopic(rid, body), body, dev.publishOptions_, (err) => {
      if (err) settle(err);
      else if (pending[rid]) timer = clock.setTimer(timeout, () => settle('twin: no answer within ' + timeout + ' ms'));
    });
  };
  dev.subscribe_(SUB_TWIN);
  // The reply's status (none at end()) and $version.
  const reply: PendingTwin = (status, version, payload) => {
    let doc;
    if (!status) settle('twin: ended');
    else if ((status == 429 || status >= 500) && tries < 3) {
      clock.clearTimer(timer);
      timer = clock.setTimer((dev.retryDelay_ << tries++) * (1 + dev.hal_.random()), send);
    } else if (status >= 300) settle('twin: status ' + status);
    else if (body) settle(undefined, version);
    else (doc = json(payload!)) ? settle(undefined, doc) : settle('twin: bad JSON');
  };
  pending[rid] = reply;
  send();
}

export function getTwin(this: DeviceState, cb: Callback): void {
  this.twinRequest_('', cb);
}

export function report(this: DeviceState, patch: object, cb?: Callback): void {
  this.twinRequest_(JSON.stringify(patch), cb || this.emit_.bind(this, 'error'));
}

export function onDesired(this: DeviceState, fn: DeviceState['desiredHandler_']): void {
  this.desiredHandler_ = fn;
  this.subscribe_(SUB_TWIN);
  if (this.client_.connected) this.fetchDesired_();
}

/** Asks for the whole twin and hands the desired document to the handler if it is newer than the last one delivered. */
export function fetchDesired(this: DeviceState): void {
  const dev = this;
  dev.twinRequest_('', (err, twin) => {
    const desired = twin && twin.desired, version = desired && desired.$version;
    dev.emit_('error', err);
    if (version > dev.desiredVersion_) dev.desiredHandler_!(desired, (dev.desiredVersion_ = version), true);
  });
}

/**
 * An incoming message on a twin topic: a reply `res/{status}/?$rid=..[&$version=n]` or a desired
 * patch `desired/?$version=n`. A reply with a $version that is not a whole number is no reply at
 * all (parseTwinRes gives null). Inline in device.ts onMessage_, as readC2d.
 */
export function readTwin(dev: DeviceState, topic: string, payload: Uint8Array): void {
  const res = parseTwinRes(topic), pending = res && dev.twinPending_, reply = pending && pending[+res!.rid], version = parseDesired(topic);
  let patch;
  if (reply) reply(res!.status, res!.version, payload);
  if (version != null && version > dev.desiredVersion_ && dev.desiredHandler_ && (patch = json(payload))) {
    dev.desiredHandler_(patch, (dev.desiredVersion_ = version));
  }
}
