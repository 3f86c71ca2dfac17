// The demo's lines: a short tag in brackets, padded so the messages line up, and device-supplied
// text shown escaped so it cannot forge lines. Keys never reach a line: connection strings are
// shown redacted.
import { escapeText } from '../../firmware/iothub/ids.js';
import type { TelemetryEvent } from '../hub/server.js';

const WIDTH = '[telemetry]'.length;

export function tagged(tag: string, msg: string): string {
  return `${`[${tag}]`.padEnd(WIDTH)} ${msg}`;
}

/** `#n body props: k=v k=v`; the body as text when it is UTF-8, else its size. */
export function telemetryLine(n: number, ev: Pick<TelemetryEvent, 'props' | 'body'>): string {
  const s = ev.body.toString('utf8');
  const body = Buffer.from(s, 'utf8').equals(ev.body) ? escapeText(s) : `<${ev.body.length} bytes of binary>`;
  const props = Object.keys(ev.props).map((k) => `${k}=${ev.props[k] ?? ''}`);
  return `#${n} ${body}${props.length ? ` props: ${escapeText(props.join(' '))}` : ''}`;
}

/** A connection string with its key (or SAS signature) replaced by <hidden>. */
export function redact(connectionString: string): string {
  return connectionString.replace(/(SharedAccessKey|SharedAccessSignature)=[^;]*/gi, '$1=<hidden>');
}
