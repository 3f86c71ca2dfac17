// Declarations that may not have run when their name is used. Espruino does not hoist: a `var` or
// a function declaration exists only once its statement has run, and until then a read or write
// of the name reaches the outer variable of that name (or throws "is not defined"). Minifiers make
// this likely: terser gives inner variables the names of outer ones and merges or drops repeated
// declarations, so `const g` twice in one function becomes one `var g` that may follow a use.
// lateDeclarations() finds such names for verify.ts; hoistVars() declares them at the top of their
// function, where no use can come first (a repeated `var` is a no-op, on Espruino too).
import { parse } from 'acorn';

export interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

export interface Late {
  name: string;
  kind: 'var' | 'function';
  /** Offset of the first use no declaration covers. */
  at: number;
  /** Used before any declaration of it, or only declared inside a branch or loop the use is outside of. */
  why: 'before' | 'branch';
}

export interface Scope {
  /** The Program or function. */
  node: Node;
  /** Where a declaration list can go: just inside the body, after any directive prologue. */
  top: number;
  late: Late[];
}

export const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
export const isFn = (n: Node) => n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression';
export const idName = (n: unknown) => (isNode(n) && n.type === 'Identifier' ? (n.name as string) : undefined);

export function children(n: Node): [string, Node][] {
  const out: [string, Node][] = [];
  for (const k in n) {
    if (k === 'loc') continue;
    const v = n[k];
    if (Array.isArray(v)) for (const c of v) { if (isNode(c)) out.push([k, c]); }
    else if (isNode(v)) out.push([k, v]);
  }
  return out.sort((a, b) => a[1].start - b[1].start);
}

/**
 * The region a part of statement n belongs to: the part itself where it may not run (a branch, a
 * loop body, a case, a try block), `n` for a for-in's variable (declared only if the loop runs),
 * or `region` for what runs whenever n is reached (a test, a for loop's init).
 */
function regionOf(n: Node, key: string, part: Node, region: Node): Node {
  switch (n.type) {
    case 'IfStatement':
      return key === 'test' ? region : part;
    case 'ForStatement':
      return key === 'init' || key === 'test' ? region : part;
    case 'ForInStatement':
      return key === 'right' ? region : key === 'left' ? n : part;
    case 'WhileStatement':
    case 'DoWhileStatement':
      return key === 'test' ? region : part;
    case 'SwitchStatement':
      return key === 'discriminant' ? region : part;
    case 'TryStatement':
      return part;
    default:
      return region;
  }
}

/** Names a function declares for itself: parameters, its own name, arguments, and its vars and functions. */
export function ownNames(fn: Node): Set<string> {
  const s = new Set<string>(['arguments']);
  for (const p of fn.params as Node[]) s.add(idName(p)!);
  if (fn.type === 'FunctionExpression' && fn.id) s.add(idName(fn.id)!);
  const visit = (n: Node): void => {
    for (const [k, c] of children(n)) {
      if (c.type === 'VariableDeclarator') s.add(idName(c.id)!);
      if (c.type === 'FunctionDeclaration') s.add(idName(c.id)!);
      if (!isFn(c) && k !== 'id') visit(c);
    }
  };
  visit(fn.body as Node);
  return s;
}

interface Decl { name: string; kind: 'var' | 'function'; at: number; region: Node }
interface Use { name: string; at: number; own: boolean }

/** The declarations and uses of one scope, in source order; uses in nested functions are not own. */
function scan(scope: Node, body: Node): { decls: Decl[]; uses: Use[]; params: Set<string> } {
  const decls: Decl[] = [], uses: Use[] = [];
  const params = new Set<string>(['arguments']);
  if (isFn(scope)) {
    for (const p of scope.params as Node[]) params.add(idName(p)!);
    if (scope.type === 'FunctionExpression' && scope.id) params.add(idName(scope.id)!);
  }
  // region: the innermost branch around the node (the scope itself at the top); shadow: names
  // nested functions or catch clauses declare for themselves.
  const visit = (n: Node, parent: Node | null, key: string, region: Node, shadow: Set<string>, own: boolean): void => {
    if (n.type === 'Identifier') {
      const name = n.name as string;
      const notRef = (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) ||
        (parent?.type === 'Property' && key === 'key') || /Statement$/.test(parent?.type ?? '') && key === 'label';
      if (!notRef && !shadow.has(name)) uses.push({ name, at: n.start, own });
      return;
    }
    if (n.type === 'VariableDeclarator' && own) decls.push({ name: idName(n.id)!, kind: 'var', at: n.start, region });
    if (n.type === 'FunctionDeclaration' && own) decls.push({ name: idName(n.id)!, kind: 'function', at: n.start, region });
    if (isFn(n) && n !== scope) {
      const inner = new Set([...shadow, ...ownNames(n)]);
      visit(n.body as Node, n, 'body', region, inner, false);
      return;
    }
    for (const [k, c] of children(n)) {
      if (k === 'id' && (n.type === 'VariableDeclarator' || n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression')) continue;
      if (n.type === 'CatchClause' && k === 'param') continue;
      const sub = n.type === 'CatchClause' ? new Set([...shadow, idName(n.param)!]) : shadow;
      visit(c, n, k, regionOf(n, k, c, region), sub, own);
    }
  };
  visit(body, scope, 'body', scope, new Set(), true);
  return { decls, uses, params };
}

function lateIn(scope: Node, closures: boolean): Late[] {
  const body = (scope.type === 'Program' ? scope : scope.body) as Node;
  const { decls, uses, params } = scan(scope, body);
  const late: Late[] = [];
  const seen = new Set<string>();
  for (const u of uses) {
    if (seen.has(u.name) || params.has(u.name) || (!u.own && !closures)) continue;
    const ds = decls.filter((d) => d.name === u.name);
    if (!ds.length) continue;
    const inside = (d: Decl) => d.region === scope || (u.at >= d.region.start && u.at < d.region.end);
    if (ds.some((d) => d.at < u.at && inside(d))) continue;
    seen.add(u.name);
    late.push({ name: u.name, kind: ds[0]!.kind, at: u.at, why: ds.some((d) => d.at < u.at) ? 'branch' : 'before' });
  }
  return late;
}

/**
 * Every scope (the program, each function) with its late names. closures: also count uses inside
 * nested functions (which run late or early, as they are called); verify.ts reports only a scope's
 * own uses, hoistVars declares both.
 */
export function lateDeclarations(program: Node, closures = false): Scope[] {
  const out: Scope[] = [];
  const visit = (n: Node): void => {
    if (n.type === 'Program' || isFn(n)) {
      const body = (n.type === 'Program' ? n : n.body) as Node;
      const stmts = body.body as Node[];
      let i = 0;
      while (i < stmts.length && typeof stmts[i]!.directive === 'string') i++;
      const top = i ? stmts[i - 1]!.end : n.type === 'Program' ? 0 : body.start + 1;
      out.push({ node: n, top, late: lateIn(n, closures) });
    }
    for (const [, c] of children(n)) visit(c);
  };
  visit(program);
  return out;
}

/** What hoistVars inserts: text at offsets of `code`, last first. */
export function hoistEdits(code: string): { at: number; text: string; names: string[] }[] {
  const program = parse(code, { ecmaVersion: 5 }) as unknown as Node;
  return lateDeclarations(program, true)
    .map((s) => ({ at: s.top, names: s.late.filter((l) => l.kind === 'var').map((l) => l.name) }))
    .filter((e) => e.names.length)
    .sort((a, b) => b.at - a.at)
    .map((e) => ({ at: e.at, text: hoistText(e.names), names: e.names }));
}

/** The declaration hoistVars inserts for these names. */
export const hoistText = (names: string[]) => 'var ' + names.join(',') + ';';

/** Declares every var that may be used before its declaration runs at the top of its function. */
export function hoistVars(code: string, edits = hoistEdits(code)): string {
  let out = code;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.at);
  return out;
}
