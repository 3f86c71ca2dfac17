// The bundle's top level as the board's global scope, not inside a wrapper function.
//
// Why: on Espruino a function made while another function runs keeps a link to that function's
// scope, one block each (docs/memory.md). The wrapper `var tinyiot=function(){...}()` makes every
// function of the firmware such a function: about 14% of what loading a bundle takes. Made at the
// top level of the script instead, they keep no link.
//
// The price: the bundle's names become globals, which the board's console shares. Minified, they
// are one or two letters, which is what people type there (`i=0`), and an Espruino global of the
// same name as a built-in (a pin such as D1) hides it. So every one gets a prefix no minified name
// and no built-in starts with ("$": `n` becomes `$n`), a byte per use of a top-level name.
//
// Two bundles laid out so in one interpreter would overwrite each other's names: only firmware,
// which runs alone on its board, is built this way (bundle.ts's `layout`, the build's pipeline).
//
// The edits work on terser's output and are returned, not applied, so that the source map (see
// bundle-map.ts) can account for them.
import { parse } from 'acorn';
import { children, hoistText, idName, isFn, type Node, ownNames } from './hoist.js';

/** Replace code[at, at + cut) with text. */
export interface Edit {
  at: number;
  cut: number;
  text: string;
}

/** Thrown where the code is not a wrapper the layout can take apart: it then stays as it is. */
class NotAWrapper extends Error {}

const fail = (why: string): never => {
  throw new NotAWrapper(why);
};

/** The wrapper function of `var <globalName>=function(){...}();`, the only statement. */
function wrapperOf(program: Node, globalName: string): { declaration: Node; call: Node; fn: Node } {
  const body = program.body as Node[];
  const declaration = body[0];
  const declarators = declaration?.type === 'VariableDeclaration' ? (declaration.declarations as Node[]) : [];
  const call = declarators[0]?.init as Node | undefined;
  const fn = call?.type === 'CallExpression' ? (call.callee as Node) : undefined;
  if (body.length !== 1 || declarators.length !== 1 || idName(declarators[0]!.id) !== globalName || !fn || fn.type !== 'FunctionExpression' ||
    (fn.params as Node[]).length || (call!.arguments as Node[]).length) {
    fail(`the bundle is not one \`var ${globalName}=function(){...}()\``);
  }
  return { declaration: declaration!, call: call!, fn: fn! };
}

/**
 * Offsets of every identifier that names one of `top` (the wrapper's own declarations), and the
 * names of all the other identifiers that bind or refer to a variable (not property names).
 */
function sites(fn: Node, top: Set<string>): { at: number[]; others: Set<string> } {
  const at: number[] = [];
  const others = new Set<string>();
  let wrapperLevel = true;
  const visit = (n: Node, parent: Node, key: string, shadow: Set<string>): void => {
    if (n.type === 'Identifier') {
      const name = n.name as string;
      if (name === 'arguments' && wrapperLevel) fail('the wrapper reads `arguments` at its top level');
      const property = (parent.type === 'MemberExpression' && key === 'property' && !parent.computed) || (parent.type === 'Property' && key === 'key');
      if (property || (/Statement$/.test(parent.type) && key === 'label')) return;
      if (top.has(name) && !shadow.has(name)) at.push(n.start);
      else others.add(name);
      return;
    }
    if (n.type === 'ThisExpression' && wrapperLevel) fail('the wrapper reads `this` at its top level');
    if (isFn(n)) {
      // A declaration's name is bound where the declaration is; the rest is the function's own.
      if (n.type === 'FunctionDeclaration') visit(n.id as Node, n, 'id', shadow);
      const inner = new Set([...shadow, ...ownNames(n)]);
      const outer = wrapperLevel;
      wrapperLevel = false;
      for (const p of n.params as Node[]) visit(p, n, 'params', inner);
      if (n.type === 'FunctionExpression' && n.id) visit(n.id as Node, n, 'id', inner);
      visit(n.body as Node, n, 'body', inner);
      wrapperLevel = outer;
      return;
    }
    const inCatch = n.type === 'CatchClause' ? new Set([...shadow, idName(n.param)!]) : shadow;
    for (const [k, c] of children(n)) visit(c, n, k, inCatch);
  };
  for (const [k, c] of children(fn.body as Node)) visit(c, fn.body as Node, k, new Set());
  return { at, others };
}

/**
 * The edits that turn terser's `var <globalName>=function(){BODY return X}();` into
 * `BODY var <globalName>=X;` with every name BODY declares for itself prefixed, together with
 * hoistVars' edits of the same code (hoist.ts; those it makes at the top of the wrapper declare
 * top-level names, so they get the prefix too). Code not shaped so (terser may have inlined a small
 * wrapper away) or whose wrapper reads its own `this` or `arguments` gets hoistVars' edits only.
 */
export function globalLayoutEdits(code: string, globalName: string, hoist: { at: number; text: string; names: string[] }[]): Edit[] {
  try {
    return unwrap(code, globalName, hoist);
  } catch (e) {
    if (e instanceof NotAWrapper) return hoist.map((h) => ({ at: h.at, cut: 0, text: h.text }));
    throw e;
  }
}

function unwrap(code: string, globalName: string, hoist: { at: number; names: string[] }[]): Edit[] {
  const program = parse(code, { ecmaVersion: 5 }) as unknown as Node;
  const { declaration, call, fn } = wrapperOf(program, globalName);
  const statements = (fn.body as Node).body as Node[];
  const last = statements[statements.length - 1];
  if (!last || last.type !== 'ReturnStatement' || !last.argument) fail('the wrapper does not end with `return <exports>`');
  if (statements[0]?.type === 'ExpressionStatement' && typeof statements[0].directive === 'string') fail('the wrapper has a directive');
  const top = ownNames(fn);
  top.delete('arguments');
  if (top.has(globalName)) fail(`the wrapper declares ${globalName} itself`);
  const { at, others } = sites(fn, top);
  // The shortest run of "$" that makes no new name equal one of the other names.
  let prefix = '$';
  while ([...top].some((name) => others.has(prefix + name))) prefix += '$';
  const head = code.slice(declaration.start, (fn.body as Node).start + 1);
  const tail = code.slice((fn.body as Node).end - 1, (call as Node).end);
  if (/\n/.test(head + tail)) fail('the wrapper spans lines');
  const bodyTop = (fn.body as Node).start + 1;
  return [
    { at: declaration.start, cut: head.length, text: '' },
    ...hoist.map((h) => ({ at: h.at, cut: 0, text: hoistText(h.at === bodyTop ? h.names.map((n) => (top.has(n) ? prefix + n : n)) : h.names) })),
    ...at.map((a) => ({ at: a, cut: 0, text: prefix })),
    { at: last!.start, cut: (last!.argument as Node).start - last!.start, text: `var ${globalName}=` },
    { at: (fn.body as Node).end - 1, cut: tail.length, text: '' },
  ];
}

/** Applies edits made on code (offsets in code; several may start at one offset: in list order). */
export function applyEdits(code: string, edits: Edit[]): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  let out = '';
  let from = 0;
  for (const { e } of sorted) {
    out += code.slice(from, e.at) + e.text;
    from = Math.max(from, e.at + e.cut);
  }
  return out + code.slice(from);
}
