// Typed reads of one JSON object's fields, each failure naming where it happened and which field,
// so a script author can fix the file without guessing.

export type QoS = 0 | 1 | 2;

/** A malformed script: the CLI prints the message and exits 2 before anything is sent. */
export class ScriptError extends Error {
  override name = 'ScriptError';
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const utf8 = new TextEncoder();

/**
 * Why `t` cannot be a PUBLISH topic (filter false) or a SUBSCRIBE/UNSUBSCRIBE filter (filter true),
 * or undefined: caught while parsing, so a bad script sends nothing.
 */
export function topicError(t: string, filter: boolean): string | undefined {
  if (t === '') return 'must not be empty [MQTT-4.7.3-1]';
  if (t.includes('\0')) return 'must not contain the character U+0000 [MQTT-4.7.3-2]';
  if (utf8.encode(t).length > 65535) return 'is longer than 65535 bytes [MQTT-4.7.3-3]';
  if (!filter) return /[+#]/.test(t) ? "must not contain the wildcards '+' or '#' [MQTT-3.3.2-2]" : undefined;
  const levels = t.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l.includes('#') && (l !== '#' || i < levels.length - 1)) return "may have '#' only as the whole last level [MQTT-4.7.1-2]";
    if (l.includes('+') && l !== '+') return "may have '+' only as a whole level [MQTT-4.7.1-3]";
  }
  return undefined;
}

export class Fields {
  private readonly used = new Set<string>();

  /** `where` prefixes every message ("step 3 (publish)"); `prefix` names a nested object ("will."). */
  constructor(
    private readonly obj: Record<string, unknown>,
    readonly where: string,
    private readonly prefix = '',
  ) {}

  fail(msg: string): never {
    throw new ScriptError(`${this.where}: ${msg}`);
  }

  name(field: string): string {
    return `'${this.prefix}${field}'`;
  }

  has(field: string): boolean {
    return this.obj[field] !== undefined;
  }

  /** The raw value; undefined only when the field is absent and optional. */
  raw(field: string, required: boolean): unknown {
    this.used.add(field);
    const v = this.obj[field];
    if (v === undefined && required) this.fail(`missing ${this.name(field)}`);
    return v;
  }

  str(field: string): string;
  str(field: string, optional: true): string | undefined;
  str(field: string, optional?: true): string | undefined {
    const v = this.raw(field, !optional);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(`${this.name(field)} must be a string`);
    return v;
  }

  /** A topic name (filter false) or topic filter (filter true). */
  topic(field: string, filter: boolean): string {
    const t = this.str(field);
    const bad = topicError(t, filter);
    if (bad) this.fail(`${this.name(field)} ${bad}`);
    return t;
  }

  bool(field: string, dflt?: boolean): boolean {
    const v = this.raw(field, dflt === undefined);
    if (v === undefined) return dflt as boolean;
    if (typeof v !== 'boolean') this.fail(`${this.name(field)} must be true or false`);
    return v;
  }

  int(field: string, min: number, max: number, dflt?: number): number {
    const v = this.raw(field, dflt === undefined);
    if (v === undefined) return dflt as number;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(`${this.name(field)} must be an integer from ${min} to ${max}`);
    }
    return v;
  }

  qos(field: string): QoS {
    const v = this.raw(field, true);
    if (v !== 0 && v !== 1 && v !== 2) this.fail(`${this.name(field)} must be 0, 1 or 2`);
    return v;
  }

  /** A nested object read with the same `where` and a dotted prefix. */
  nested(field: string): Fields | undefined {
    const v = this.raw(field, false);
    if (v === undefined) return undefined;
    if (!isObject(v)) this.fail(`${this.name(field)} must be an object`);
    return new Fields(v, this.where, `${this.prefix}${field}.`);
  }

  /** An array field that must have at least one element. */
  list(field: string, what: string): unknown[] {
    const v = this.raw(field, true);
    if (!Array.isArray(v) || v.length === 0) this.fail(`${this.name(field)} must be a non-empty array of ${what}`);
    return v;
  }

  /** Rejects fields nobody read: a typo such as "qso" would otherwise be silently ignored. */
  done(): void {
    for (const k of Object.keys(this.obj)) {
      if (!this.used.has(k)) this.fail(`unknown field '${this.prefix}${k}'`);
    }
  }
}
