// The hub's service-side API, JSON over HTTP on 127.0.0.1 only. It can message any device, so
// every request needs `Authorization: SharedAccessSignature ...&skn=service`, signed with the
// service key in the data folder (servicekey.ts); 401 without it. Used by `tinyiot hub send|
// invoke|desired|twin|watch` and by `tinyiot device list|remove` while a hub runs.
//   GET    /api/devices                      [{deviceId, connected, queued}]
//   DELETE /api/devices/{id}                 204
//   POST   /api/devices/{id}/messages        {body | bodyBase64, props?, ttl? (s)} -> 201 {messageId, expires}
//   POST   /api/devices/{id}/methods         {method, payload?, timeout? (s)} -> {status, payload}; 404, 504
//   GET    /api/devices/{id}/twin            {desired, reported}
//   PATCH  /api/devices/{id}/twin/desired    patch -> {version}
//   GET    /api/events                       text/event-stream, one `data: {telemetry}` per message
// Errors: {error} with 400 (bad request), 401 (no or a bad token), 404 (unknown device, not
// connected), 413, 504 (timeout). Bodies are checked against IoT Hub's limits (limits.ts) before
// anything is queued or sent.
// A web page must not drive it: the Host header must name loopback (no DNS rebinding) and bodies
// must be application/json (no cross-site form posts without a CORS preflight, never answered).
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { propsError } from './c2d.js';
import { C2D_LIMITS, METHOD_LIMITS } from './limits.js';
import type { Hub, TelemetryEvent } from './server.js';
import { serviceAuthError } from './servicekey.js';

/** Largest request body: a 64 KB message as base64 in JSON, or a 128 KB method payload, with room. */
const MAX_BODY = 256 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    if ((n += c.length) > MAX_BODY) throw new HttpError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The event as JSON: the body as text when it is UTF-8, else as base64. */
export function telemetryJson(ev: TelemetryEvent): object {
  try {
    return { deviceId: ev.deviceId, props: ev.props, body: utf8.decode(ev.body), time: ev.time };
  } catch {
    return { deviceId: ev.deviceId, props: ev.props, bodyBase64: ev.body.toString('base64'), time: ev.time };
  }
}

function obj(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'request body must be a JSON object');
  return v as Record<string, unknown>;
}

function seconds(v: unknown, what: string, dflt: number, maxS: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v > 0) || v > maxS) throw new HttpError(400, `${what} must be a number of seconds more than 0 and at most ${maxS}`);
  return v * 1000;
}

async function route(hub: Hub, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const url = new URL(req.url ?? '/', 'http://x');
  const m = /^\/api\/devices(?:\/([^/]+)(\/messages|\/methods|\/twin|\/twin\/desired)?)?$/.exec(url.pathname);
  const key = `${req.method} ${m ? (m[1] ? `device${m[2] ?? ''}` : 'devices') : url.pathname}`;
  const id = m?.[1] === undefined ? '' : decodeURIComponent(m[1]);
  const body = async () => obj(await readBody(req));
  switch (key) {
    case 'GET devices':
      return hub.registry.list().map((d) => ({ deviceId: d.deviceId, connected: hub.connected(d.deviceId), queued: hub.c2d.pending(d.deviceId).length }));
    case 'DELETE device':
      if (!hub.removeDevice(id)) throw new HttpError(404, `unknown device '${id}'`);
      return null;
    case 'POST device/messages': {
      const b = await body();
      const payload = typeof b.bodyBase64 === 'string' ? Buffer.from(b.bodyBase64, 'base64') : Buffer.from(String(b.body ?? ''), 'utf8');
      const props = b.props ?? {};
      const bad = propsError(props);
      if (bad) throw new HttpError(400, bad);
      const ttl = b.ttl === undefined ? undefined : seconds(b.ttl, 'ttl', 0, C2D_LIMITS.maxTtlMs / 1000);
      const msg = hub.sendC2d(id, payload, props as Record<string, string>, ttl);
      res.statusCode = 201;
      return { messageId: msg.mid, expires: new Date(msg.expires).toISOString() };
    }
    case 'POST device/methods': {
      const b = await body();
      if (typeof b.method !== 'string') throw new HttpError(400, "'method' must be a string");
      const size = Buffer.byteLength(JSON.stringify(b.payload ?? null));
      if (size > METHOD_LIMITS.maxPayloadBytes) throw new HttpError(413, `a method payload may be at most ${METHOD_LIMITS.maxPayloadBytes} bytes (IoT Hub's limit), not ${size}`);
      return await hub.invoke(id, b.method, b.payload, seconds(b.timeout, 'timeout', 30_000, METHOD_LIMITS.maxTimeoutS));
    }
    case 'GET device/twin':
      return hub.getTwin(id);
    case 'PATCH device/twin/desired':
      return { version: hub.updateDesired(id, await readBody(req)) };
    default:
      throw new HttpError(404, `no such API: ${req.method} ${url.pathname}`);
  }
}

function events(hub: Hub, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(': tinyiot hub telemetry\n\n');
  const on = (ev: TelemetryEvent) => res.write(`data: ${JSON.stringify(telemetryJson(ev))}\n\n`);
  hub.on('telemetry', on);
  res.on('close', () => hub.off('telemetry', on));
}

export async function startHttpApi(hub: Hub, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const fail = (status: number, error: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
    const host = /^(127\.0\.0\.1|localhost|\[::1\]):(\d+)$/.exec(req.headers.host ?? '');
    if (!host || +host[2]! !== (server.address() as AddressInfo).port) return fail(403, 'the hub API answers loopback host names only');
    const denied = serviceAuthError(req.headers.authorization, hub.serviceKey, hub.hubName);
    if (denied) {
      res.setHeader('www-authenticate', 'SharedAccessSignature');
      return fail(401, denied);
    }
    if ((req.method === 'POST' || req.method === 'PATCH') && !/^application\/json\b/.test(req.headers['content-type'] ?? '')) return fail(415, 'send JSON with content-type application/json');
    if (req.method === 'GET' && req.url === '/api/events') return events(hub, res);
    route(hub, req, res).then(
      (r) => {
        if (r === null) return res.writeHead(204).end();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(r));
      },
      // HttpError, MethodError and the hub's DeviceError carry a status; other throws are refusals.
      (e: Error) => fail((e as { status?: number }).status ?? 400, e.message),
    );
  });
  // Streams (watch) must not hold stop() open.
  const close = server.close.bind(server);
  server.close = (cb) => (close(cb), server.closeAllConnections(), server);
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', ok));
  return server;
}
