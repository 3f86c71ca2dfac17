// The simulator's config checks, on the host before the firmware starts: a mistake in --broker or
// a connection string is one clear line here instead of an exception from inside the ES5 engine.
// Passwords and keys never reach a message: URLs are shown with the password masked, and the
// connection-string parser names the faulty part without quoting values.
import { parseConnectionString } from '../../firmware/iothub/connstr.js';
import { UsageError } from './args.js';

/** `scheme://user:pass@` -> `scheme://user:***@`, wherever it occurs in `text`. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][\w+.-]*:\/\/[^/@:\s]*):[^/@\s]*@/gi, '$1:***@');
}

/** mqtt[s]://[user[:password]@]host[:port] -> the mqtt-blink config fields it sets. */
export function brokerConfig(url: string): Record<string, unknown> {
  const m = /^(mqtts?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/:@]+)(?::(\d{1,5}))?\/?$/.exec(url);
  const port = m?.[5] ? Number(m[5]) : undefined;
  if (!m || port === 0 || port! > 65535) {
    throw new UsageError(`--broker must look like mqtt://host:port or mqtts://user:password@host:port (got '${redactUrl(url)}')`);
  }
  const tls = m[1] === 'mqtts';
  const cfg: Record<string, unknown> = { host: m[4], port: port ?? (tls ? 8883 : 1883), tls };
  try {
    if (m[2]) cfg.username = decodeURIComponent(m[2]);
    if (m[3] !== undefined) cfg.password = decodeURIComponent(m[3]);
  } catch {
    throw new UsageError(`--broker: bad %-escape in the user name or password (got '${redactUrl(url)}')`);
  }
  return cfg;
}

/** Why cfg.connectionString cannot work, if it is there and cannot; `from` names where it came from. */
export function connectionStringProblem(cfg: Record<string, unknown>, from: string): string | undefined {
  const s = cfg.connectionString;
  if (s === undefined) return undefined;
  if (typeof s !== 'string') return `${from}: the connection string must be a string`;
  try {
    parseConnectionString(s);
    return undefined;
  } catch (e) {
    return `${from}: ${(e as Error).message} (want HostName=...;DeviceId=...;SharedAccessKey=...)`;
  }
}
