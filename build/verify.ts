// Checks that a bundle is plain ES5 that an ES5 interpreter (Espruino, duktape, mujs) can run:
// acorn at ecmaVersion 5 rejects newer syntax; a scope-aware walk finds what the syntax check
// cannot see: newer globals, ES2015 statics and methods, and labelled statements (Espruino fails on
// them); verify-espruino.ts finds the rest of what Espruino's interpreter cannot run.
import { parse } from 'acorn';
import { espruinoProblems } from './verify-espruino.js';

interface AstNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

export interface VerifyOptions {
  /** Names from the banned lists that this bundle may use anyway (e.g. 'setTimeout' for a host-only bundle). */
  allowGlobals?: string[];
}

const bannedGlobals = [
  'Symbol', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'Reflect', 'Proxy', 'Promise', 'BigInt',
  'TextEncoder', 'TextDecoder', 'Buffer', 'globalThis',
  // Firmware keeps time only through hal.clock.
  'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'setImmediate', 'queueMicrotask',
];

const bannedStatics: Record<string, string[]> = {
  Array: ['from', 'of'],
  Object: ['assign', 'entries', 'values', 'fromEntries', 'setPrototypeOf', 'getOwnPropertySymbols', 'is'],
  Number: ['isInteger', 'isNaN', 'isFinite', 'isSafeInteger', 'parseInt', 'parseFloat', 'EPSILON'],
  Math: ['trunc', 'sign', 'imul', 'clz32', 'log2', 'log10', 'hypot', 'cbrt', 'fround'],
  String: ['fromCodePoint', 'raw'],
};

// ES2015+ prototype methods; a call is flagged only when the bundle defines no property of that name.
// `substr` is ES5 only in Annex B and mujs leaves it out, so it is refused with them.
const newerMethods = [
  'substr', 'includes', 'startsWith', 'endsWith', 'padStart', 'padEnd', 'repeat', 'find', 'findIndex', 'findLast',
  'fill', 'codePointAt', 'normalize', 'flat', 'flatMap', 'at', 'copyWithin', 'trimStart', 'trimEnd',
];

const builtinReceivers = ['Object', 'Array', 'Math', 'JSON', 'String', 'Number', 'Date', 'RegExp'];

type Scope = { names: Set<string>; up: Scope | null };

function isNode(v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && typeof (v as AstNode).type === 'string';
}

function children(n: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const k in n) {
    if (k === 'loc' || k === 'type') continue;
    const v = n[k];
    if (Array.isArray(v)) for (const c of v) { if (isNode(c)) out.push(c); }
    else if (isNode(v)) out.push(v);
  }
  return out;
}

function idName(n: unknown): string | undefined {
  return isNode(n) && n.type === 'Identifier' ? (n.name as string) : undefined;
}

/** var and function declarations hoisted to the function (or program) whose body is `body`. */
function hoisted(body: AstNode, names: Set<string>): void {
  for (const c of children(body)) {
    if (c.type === 'FunctionDeclaration') {
      const id = idName(c.id);
      if (id) names.add(id);
    } else if (c.type === 'FunctionExpression') {
      continue;
    } else {
      if (c.type === 'VariableDeclarator') {
        const id = idName(c.id);
        if (id) names.add(id);
      }
      hoisted(c, names);
    }
  }
}

function declared(scope: Scope | null, name: string): boolean {
  for (let s = scope; s; s = s.up) if (s.names.has(name)) return true;
  return false;
}

function propName(n: unknown): string | undefined {
  if (!isNode(n)) return undefined;
  if (n.type === 'Identifier') return n.name as string;
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  return undefined;
}

/** Property names the bundle defines itself (object keys, `x.name = ...`), so calls to them are not builtins. */
function ownPropertyNames(root: AstNode): Set<string> {
  const out = new Set<string>();
  const visit = (n: AstNode): void => {
    if (n.type === 'Property' && !n.computed) {
      const k = propName(n.key);
      if (k) out.add(k);
    } else if (n.type === 'AssignmentExpression' && isNode(n.left) && n.left.type === 'MemberExpression' && !n.left.computed) {
      const k = propName(n.left.property);
      if (k) out.add(k);
    }
    for (const c of children(n)) visit(c);
  };
  visit(root);
  return out;
}

/** `typeof X` and `X || fallback` test for a feature instead of relying on it (tsc's helpers do this). */
function guarded(n: AstNode, parent: AstNode | null): boolean {
  if (!parent) return false;
  if (parent.type === 'UnaryExpression' && parent.operator === 'typeof') return true;
  return parent.type === 'LogicalExpression' && parent.operator === '||' && parent.left === n;
}

function where(n: AstNode): string {
  return n.loc ? `${n.loc.start.line}:${n.loc.start.column + 1}` : `@${n.start}`;
}

export function verifyEs5(code: string, opts: VerifyOptions = {}): string[] {
  let program: AstNode;
  try {
    program = parse(code, { ecmaVersion: 5, locations: true }) as unknown as AstNode;
  } catch (e) {
    return [`not ES5 syntax: ${(e as Error).message}`];
  }
  const allow = new Set(opts.allowGlobals ?? []);
  const globals = new Set(bannedGlobals.filter((g) => !allow.has(g)));
  const own = ownPropertyNames(program);
  const problems: string[] = [];

  const functionScope = (fn: AstNode, up: Scope): Scope => {
    const names = new Set<string>();
    for (const p of (fn.params as AstNode[])) {
      const id = idName(p);
      if (id) names.add(id);
    }
    if (fn.type === 'FunctionExpression') {
      const id = idName(fn.id);
      if (id) names.add(id);
    }
    names.add('arguments');
    hoisted(fn.body as AstNode, names);
    return { names, up };
  };

  const visit = (n: AstNode, parent: AstNode | null, scope: Scope): void => {
    switch (n.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression': {
        const inner = functionScope(n, scope);
        visit(n.body as AstNode, n, inner);
        return;
      }
      case 'CatchClause': {
        const names = new Set<string>();
        const id = idName(n.param);
        if (id) names.add(id);
        visit(n.body as AstNode, n, { names, up: scope });
        return;
      }
      case 'LabeledStatement':
        problems.push(`${where(n)}: labelled statement '${idName(n.label)}:' (Espruino cannot run it)`);
        visit(n.body as AstNode, n, scope);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
        return;
      case 'MemberExpression': {
        const obj = idName(n.object);
        const prop = n.computed ? undefined : propName(n.property);
        if (obj && prop && !declared(scope, obj) && bannedStatics[obj]?.includes(prop) && !allow.has(`${obj}.${prop}`) && !guarded(n, parent)) {
          problems.push(`${where(n)}: uses ${obj}.${prop} (not in ES5)`);
        }
        visit(n.object as AstNode, n, scope);
        if (n.computed) visit(n.property as AstNode, n, scope);
        return;
      }
      case 'CallExpression': {
        const callee = n.callee as AstNode;
        if (callee.type === 'MemberExpression' && !callee.computed) {
          const m = propName(callee.property);
          const recv = idName(callee.object);
          const builtinRecv = recv !== undefined && builtinReceivers.includes(recv) && !declared(scope, recv);
          if (m && newerMethods.includes(m) && !own.has(m) && !builtinRecv && !allow.has(m)) {
            problems.push(`${where(n)}: calls .${m}() (an ES2015+ method ES5 engines lack)`);
          }
        }
        break;
      }
      case 'Property':
        if (n.computed) visit(n.key as AstNode, n, scope);
        visit(n.value as AstNode, n, scope);
        return;
      case 'Identifier': {
        const name = n.name as string;
        if (globals.has(name) && !declared(scope, name) && !guarded(n, parent)) {
          problems.push(`${where(n)}: uses global ${name} (not available on ES5 boards)`);
        }
        return;
      }
    }
    for (const c of children(n)) visit(c, n, scope);
  };

  const top: Scope = { names: new Set(), up: null };
  hoisted(program, top.names);
  visit(program, null, top);
  const lines = code.split('\n');
  const at = (offset: number): string => {
    let line = 0;
    while (line < lines.length - 1 && offset > lines[line]!.length) offset -= lines[line++]!.length + 1;
    return `${line + 1}:${offset + 1}`;
  };
  return problems.concat(espruinoProblems(program, at));
}
