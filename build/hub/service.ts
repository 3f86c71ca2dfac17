// The CLI's side of the hub's HTTP API: finds the running hub through hub.json in the data
// folder, signs each request with the service key kept there (servicekey.ts), and turns the
// answers into values or errors a user can act on.
import { join, resolve } from 'node:path';
import { readJson } from './files.js';
import type { HubInfo } from './server.js';
import { readServiceKey, serviceToken } from './servicekey.js';

export const DEFAULT_DATA_DIR = '.tinyiot/hub';

export class ServiceError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The running hub's hub.json; throws when there is none. */
export function hubInfo(dataDir: string): HubInfo {
  const info = readJson<HubInfo | null>(join(resolve(dataDir), 'hub.json'), null);
  if (!info) throw new ServiceError(0, `no hub is running on ${dataDir} (start one with 'tinyiot hub --data ${dataDir}')`);
  return info;
}

export async function hubFetch(dataDir: string, method: string, path: string, body?: unknown): Promise<Response> {
  const info = hubInfo(dataDir);
  let authorization: string;
  try {
    authorization = serviceToken(readServiceKey(dataDir), info.hubName);
  } catch (e) {
    throw new ServiceError(0, (e as Error).message);
  }
  try {
    return await fetch(`http://127.0.0.1:${info.httpPort}${path}`, {
      method,
      headers: body === undefined ? { authorization } : { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ServiceError(0, `the hub on ${dataDir} is not answering (port ${info.httpPort}); is it still running?`);
  }
}

/** Calls the API and returns its JSON answer; throws ServiceError with the hub's message. */
export async function hubApi<T = unknown>(dataDir: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await hubFetch(dataDir, method, path, body);
  const text = await res.text();
  const json = text ? (JSON.parse(text) as T & { error?: string }) : (null as T);
  if (!res.ok) throw new ServiceError(res.status, (json as { error?: string } | null)?.error ?? `HTTP ${res.status}`);
  return json;
}

export const devicePath = (id: string, rest = '') => `/api/devices/${encodeURIComponent(id)}${rest}`;
