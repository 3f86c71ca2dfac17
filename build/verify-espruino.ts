// What plain ES5 may do but Espruino's interpreter cannot, each seen on the interpreter itself:
// - its RegExp has no {m,n} (such a pattern never matches), no (?:, (?=, (?!, no backreferences,
//   \b or \B, no lazy quantifiers, no flags but g and i; a `/` inside a class ends the literal and
//   a `[` inside one throws "Unfinished character set"; a pattern that can only match empty at the
//   end of the string (/=*$/ on "QUJD") gives null; replace() knows $1 but not $&, $$, $` or $';
// - an array's length is read-only (assigning it throws "Assignment to a constant");
// - built-in methods read off a prototype (Array.prototype.slice) are undefined;
// - a var or function is declared when its statement runs, so a use before that reaches the
//   outer variable of the name (hoist.ts finds them).
// Labelled statements (which fail there too) are verify.ts's.
import { lateDeclarations, type Node } from './hoist.js';

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';

function walk(n: Node, f: (n: Node, parent: Node | null, key: string) => void, parent: Node | null = null, key = ''): void {
  f(n, parent, key);
  for (const k in n) {
    if (k === 'loc') continue;
    const v = n[k];
    if (Array.isArray(v)) for (const c of v) { if (isNode(c)) walk(c, f, n, k); }
    else if (isNode(v)) walk(v, f, n, k);
  }
}

/** What Espruino cannot do with this pattern and flags, or nothing. */
export function regexProblems(pattern: string, flags: string): string[] {
  const out: string[] = [];
  const say = (m: string) => out.includes(m) || out.push(m);
  for (const f of flags) if (f !== 'g' && f !== 'i') say(`flag ${f}`);
  // Atoms outside classes: true = may match nothing (quantified by *, ? or {0,...}).
  const optional: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const next = pattern[i + 1];
    if (c === '\\') {
      if (!inClass && (next === 'b' || next === 'B')) say(`\\${next}`);
      if (!inClass && next && next >= '1' && next <= '9') say('a backreference');
      i++;
      if (!inClass) optional.push(false);
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '/') say("an unescaped '/' in a character class");
      else if (c === '[') say("an unescaped '[' in a character class");
      continue;
    }
    if (c === '[') {
      inClass = true;
      optional.push(false);
    } else if (c === '(' && next === '?') say(`(?${pattern[i + 2] ?? ''}`);
    else if (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i))) {
      say('{m,n}');
      if (pattern[i + 1] === '0' && optional.length) optional[optional.length - 1] = true;
    } else if (c === '*' || c === '?' || c === '+') {
      if (next === '?' && c !== '?' || c === '?' && pattern[i - 1] && '*+?}'.includes(pattern[i - 1]!)) say('a lazy quantifier');
      if (c !== '+' && optional.length) optional[optional.length - 1] = true;
    } else if (c !== '$' && c !== '^' && c !== ')' && c !== '|') optional.push(false);
  }
  if (pattern.endsWith('$') && !pattern.startsWith('^') && optional.every(Boolean)) say('a match that can only be empty at the end');
  return out;
}

/** Problems with their positions; `where` turns an offset into "line:column". */
export function espruinoProblems(program: Node, where: (offset: number) => string): string[] {
  const problems: string[] = [];
  const add = (at: number, m: string) => problems.push(`${where(at)}: ${m}`);
  const BUILTINS = ['Object', 'Array', 'String', 'Function', 'Number', 'Date', 'RegExp', 'ArrayBuffer', 'Uint8Array'];
  const INHERITED = ['toString', 'valueOf', 'hasOwnProperty'];
  walk(program, (n, parent, key) => {
    const re = n.regex as { pattern: string; flags: string } | undefined;
    // new RegExp("...") and RegExp("...") with a literal pattern, too.
    const ctor = (n.type === 'NewExpression' || n.type === 'CallExpression') && (n.callee as Node).type === 'Identifier' &&
      (n.callee as Node).name === 'RegExp' && (n.arguments as Node[])[0]?.type === 'Literal' ? (n.arguments as Node[]) : undefined;
    const pat = re ?? (ctor && typeof ctor[0]!.value === 'string'
      ? { pattern: ctor[0]!.value as string, flags: ctor[1]?.type === 'Literal' ? String(ctor[1].value) : '' } : undefined);
    if (pat) {
      const p = regexProblems(pat.pattern, pat.flags);
      if (p.length) add(n.start, `regular expression /${pat.pattern}/${pat.flags} uses ${p.join(', ')} (not in Espruino's RegExp)`);
    }
    if (n.type === 'CallExpression' && (n.callee as Node).type === 'MemberExpression' && ((n.callee as Node).property as Node).name === 'replace') {
      const r = (n.arguments as Node[])[1];
      if (r?.type === 'Literal' && typeof r.value === 'string' && /\$[&$`']/.test(r.value)) {
        add(r.start, `replace() with '${r.value}': Espruino has no $&, $$, $\` or $' patterns (pass a function)`);
      }
    }
    const target = (parent?.type === 'AssignmentExpression' && key === 'left') || (parent?.type === 'UpdateExpression' && key === 'argument');
    if (n.type === 'MemberExpression' && target) {
      const p = n.property as Node;
      if ((!n.computed && p.name === 'length') || (n.computed && p.value === 'length')) {
        add(n.start, "writes '.length' (read-only on Espruino's arrays: use splice)");
      }
    }
    if (n.type === 'MemberExpression' && !target && !n.computed) {
      const o = n.object as Node;
      const b = o.type === 'MemberExpression' && !o.computed && (o.object as Node).type === 'Identifier' ? ((o.object as Node).name as string) : '';
      const m = (n.property as Node).name as string;
      if (BUILTINS.includes(b) && ((o.property as Node).name === 'prototype') && !INHERITED.includes(m)) {
        add(n.start, `reads ${b}.prototype.${m} (undefined on Espruino: take it from an instance, e.g. [].${m})`);
      }
    }
  });
  for (const s of lateDeclarations(program)) {
    for (const l of s.late) {
      const what = l.kind === 'var' ? `var '${l.name}'` : `function '${l.name}'`;
      add(l.at, l.why === 'before'
        ? `${what} used before its declaration in the same function (Espruino declares it only when the declaration runs; before that the name is the outer one)`
        : `${what} used where its declaration, inside a branch or loop, may not have run (Espruino declares it only when the declaration runs)`);
    }
  }
  return problems;
}
