// boards/schema.json checked by ajv (a JSON Schema validator), its errors said as tinyiot says them:
// "field 'budget.maxShare' must be at most 1 (got 2)", "unknown hal 'xyz' (expected ...)", one
// line each, so a typo in a board file is found without reading the schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

const article: Record<string, string> = {
  integer: 'an integer', number: 'a number', string: 'a string', boolean: 'a boolean (true or false)',
  object: 'an object', array: 'an array', null: 'null',
};

export const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
};

/** "a, b or c" */
export function orList(xs: readonly unknown[]): string {
  const s = xs.map(String);
  return s.length < 2 ? s.join('') : `${s.slice(0, -1).join(', ')} or ${s[s.length - 1]}`;
}

/** ajv's /budget/maxShare or /source/0 as budget.maxShare or source[0]. */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, p) => (/^\d+$/.test(p) ? `${path}[${p}]` : path ? `${path}.${p}` : p), '');
}

const within = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function message(e: ErrorObject): string {
  const path = fieldPath(e.instancePath);
  const field = `field '${path}'`;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing field '${within(path, p.missingProperty as string)}'`;
    case 'additionalProperties': {
      const key = p.additionalProperty as string;
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
      return `unknown field '${within(path, key)}'${near ? ` (did you mean '${near}'?)` : ''}`;
    }
    case 'type': {
      const types = ([] as string[]).concat(e.schema as string | string[]);
      return `${field} must be ${orList(types.map((t) => article[t] ?? t))} (got ${show(e.data)})`;
    }
    case 'enum':
      return typeof e.data === 'string'
        ? `unknown ${path} '${e.data}' (expected ${orList(p.allowedValues as unknown[])})`
        : `${field} must be one of ${orList(p.allowedValues as unknown[])} (got ${show(e.data)})`;
    case 'minimum':
      return `${field} must be at least ${p.limit} (got ${e.data})`;
    case 'maximum':
      return `${field} must be at most ${p.limit} (got ${e.data})`;
    case 'exclusiveMinimum':
      return `${field} must be more than ${p.limit} (got ${e.data})`;
    case 'minLength':
      return `${field} must not be empty`;
    case 'pattern':
      return `${field} must match ${p.pattern} (got ${show(e.data)})`;
    case 'minItems':
      return `${field} must have at least ${p.limit} item(s)`;
    default:
      return `${field} ${e.message ?? `fails '${e.keyword}'`}`;
  }
}

let validator: ValidateFunction | undefined;
function validate(schemaFile: string): ValidateFunction {
  // verbose: the errors carry the value (shown as "got ...") and the schema of the field (its known keys).
  return (validator ??= new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(schemaFile, 'utf8'))));
}

/** What the schema finds wrong with a parsed board file, one message each (none when it fits). */
export function schemaProblems(obj: unknown, boardsDir: string, schemaName: string): string[] {
  const check = validate(join(boardsDir, schemaName));
  if (check(obj)) return [];
  const errors = check.errors ?? [];
  // A value of the wrong type is said once: its other keywords (enum, range) only repeat it.
  const mistyped = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'type' || !mistyped.has(e.instancePath)).map(message);
}
