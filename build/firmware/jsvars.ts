// Estimates the JsVars (memory blocks) a bundle takes on Espruino, calibrated against what
// Espruino's own interpreter reports (process.memory().usage) for the example apps built for
// several boards: test/build/firmware/jsvars-calibration.test.ts holds the measured data points and
// checks the model against them; `npm run bench -- jsvars` measures them again (docs/jsvars.md).
//
// A block is one variable, one property, one object or function header, or one piece of a string,
// on every build; only how many characters a piece holds depends on the block size (blockLayout).
// Two parts, each modelled from what Espruino does:
//
// - The code, booted from Storage (as `tinyiot flash` installs it): Espruino parses it from flash
//   and keeps each function's text there (a native string: one block), so what costs RAM is what
//   running the bundle's top level creates. Read off the minified bundle's syntax tree
//   (codeJsVars): 4 blocks per function created (the function, its code link, its scope link and
//   the name it is bound to; 3 for one created at the script's own top level, which has no scope
//   to link: the global layout, build/global-layout.ts), one per parameter, one per other declared name, object property and
//   array element, and each string value stored, in pieces of the board's size, plus the extra
//   pieces of property names too long for one block. No coefficient is fitted: on the interpreter
//   this predicts the measured load within 3%.
//
// - What starting main() creates (HAL, client, app state), measured by running the bundle in
//   QuickJS over stand-ins (smoke.ts) and counting what QuickJS holds afterwards (startJsVars):
//   one block per property, array element and string piece, and CLOSURE_BLOCKS per function object
//   made (closures and bound functions). QuickJS does not show what a closure costs Espruino (the
//   function, its code link, its parameters and the scope it keeps alive, with that scope's
//   variables), so that one figure is fitted to the measurements: least squares gives 10.1; 10.8
//   is the smallest tenth at which no data point is underestimated by more than 1% (the points then
//   lie within -1% and +8%). Property names too long for one block cost extra pieces on boards with small
//   blocks; their share is taken from the names the bundle uses.
import { parse } from 'acorn';
import type { EngineCounts } from '../es5-engines.js';

export type { EngineCounts };

interface Node {
  type: string;
  start: number;
  end: number;
  [k: string]: unknown;
}

/** How many characters one block holds: the first piece of a string, each further piece, a property name. */
export interface BlockLayout {
  first: number;
  ext: number;
  name: number;
}

/**
 * The layout of a board's blocks (espruino/Espruino src/jsvar.h): a string's first block loses the
 * flags (2 bytes) and two references to the string, a continuation block one reference; a name
 * holds 4 characters. References are as wide as the store's size needs (10 bits for up to 1023
 * variables, 16 for up to 65535). Blocks of 24 bytes and more are the Linux build's 32-bit
 * references, whose figures were measured there (a string's pieces hold 20 and 21 characters, a
 * name 8).
 */
export function blockLayout(blockSize: number, jsVars = 65535): BlockLayout {
  if (!(blockSize > 0)) throw new Error('blockLayout: blockSize must be > 0');
  if (blockSize >= 24) return { first: 20, ext: 21, name: 8 };
  const refBits = Math.max(8, Math.ceil(Math.log2(jsVars + 1)));
  return { first: Math.max(1, Math.floor(blockSize - 2 - refBits / 4)), ext: Math.max(1, Math.floor(blockSize - 2 - refBits / 8)), name: 4 };
}

/** Blocks a string value of n characters takes. */
export const stringBlocks = (n: number, l: BlockLayout): number => 1 + Math.ceil(Math.max(0, n - l.first) / l.ext);

/** Blocks a property or variable name of n characters takes beyond its first. */
export const nameExtra = (n: number, l: BlockLayout): number => Math.ceil(Math.max(0, n - l.name) / l.ext);

export interface CodeEstimate {
  /** Functions created when the bundle runs its top level, and their parameters. */
  functions: number;
  /** Those of them created by the script's top level itself, not inside a function: no scope link. */
  unscoped?: number;
  params: number;
  /** Other names declared at the top level (variables, function declarations). */
  names: number;
  /** Object properties and array elements created at the top level. */
  props: number;
  /** String values stored at the top level, and their characters. */
  strings: number;
  stringChars: number;
  /** Blocks of those strings, and the extra blocks of long property names, in the board's layout. */
  pieces: number;
  /** Characters of every function's text (nested text counted again in every parent). */
  chars: number;
  /** Share of the property names the bundle uses that take more than one block, in extra blocks per name. */
  longNameShare: number;
  /** Code booted from Storage, text left in flash: what the build checks. */
  flashJsVars: number;
  /** The same code sent to RAM, each function's text in flat strings (reported only). */
  jsVars: number;
}

/** Blocks per function created, besides its parameters: the function, its code, its scope link and its name. */
export const FUNCTION_BLOCKS = 4;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
const isFn = (n: Node) => n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration';

function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const k in n) {
    const v = n[k];
    if (Array.isArray(v)) for (const c of v) { if (isNode(c)) out.push(c); }
    else if (isNode(v)) out.push(v);
  }
  return out;
}

const keyName = (k: Node): string | undefined => (k.type === 'Identifier' ? (k.name as string) : typeof k.value === 'string' ? (k.value as string) : undefined);

export function codeJsVars(code: string, blockSize: number, jsVarCount?: number): CodeEstimate {
  const layout = blockLayout(blockSize, jsVarCount);
  const ast = parse(code, { ecmaVersion: 5 }) as unknown as Node;
  const e = { functions: 0, unscoped: 0, params: 0, names: 0, props: 0, strings: 0, stringChars: 0, pieces: 0, chars: 0 };
  let textBlocks = 0, nameCount = 0, nameExtras = 0;
  // Every function's text, for the RAM figure, and the property names stored, for the long-name share.
  const everywhere = (n: Node, parent?: Node): void => {
    if (isFn(n) && !(parent && parent.type === 'CallExpression' && parent.callee === n)) {
      const len = n.end - (n.body as Node).start;
      e.chars += len;
      textBlocks += 1 + Math.ceil(len / blockSize);
    }
    // Names the code stores properties under: object literal keys and assignment targets (not
    // names it only reads, such as the methods of built-ins).
    const target = n.type === 'AssignmentExpression' && (n.left as Node).type === 'MemberExpression' && !(n.left as Node).computed ? ((n.left as Node).property as Node) : undefined;
    const key = n.type === 'Property' ? keyName(n.key as Node) : target ? keyName(target) : undefined;
    if (key !== undefined) {
      nameCount++;
      nameExtras += nameExtra(key.length, layout);
    }
    for (const c of children(n)) everywhere(c, n);
  };
  // What running the top level creates: functions met there are created, not run, unless called
  // on the spot (the bundle's wrapper, tsc's class IIFEs), whose bodies run at load too.
  let inFunction = false;
  const atLoad = (n: Node, parent?: Node): void => {
    if (isFn(n)) {
      if (parent && parent.type === 'CallExpression' && parent.callee === n) {
        e.names += (n.params as Node[]).length;
        const was = inFunction;
        inFunction = true;
        atLoad(n.body as Node, n);
        inFunction = was;
        return;
      }
      e.functions++;
      if (!inFunction) e.unscoped++;
      e.params += (n.params as Node[]).length;
      if (n.type === 'FunctionDeclaration') e.names++;
      return;
    }
    if (n.type === 'VariableDeclarator') e.names++;
    if (n.type === 'ObjectExpression') {
      for (const p of n.properties as Node[]) {
        const k = keyName(p.key as Node);
        e.props++;
        if (k !== undefined) e.pieces += nameExtra(k.length, layout);
      }
    }
    if (n.type === 'ArrayExpression') e.props += (n.elements as Node[]).length;
    const isKey = parent && ((parent.type === 'Property' && parent.key === n) || (parent.type === 'MemberExpression' && parent.property === n));
    if (n.type === 'Literal' && typeof n.value === 'string' && !isKey) {
      e.strings++;
      e.stringChars += (n.value as string).length;
      e.pieces += stringBlocks((n.value as string).length, layout);
    }
    for (const c of children(n)) atLoad(c, n);
  };
  everywhere(ast);
  atLoad(ast);
  const blocks = loadJsVars(e);
  return { ...e, longNameShare: nameCount ? nameExtras / nameCount : 0, flashJsVars: blocks, jsVars: blocks + textBlocks };
}

/** Blocks the top level creates, from what codeJsVars counted. */
export function loadJsVars(e: Pick<CodeEstimate, 'functions' | 'unscoped' | 'params' | 'names' | 'props' | 'pieces'>): number {
  return FUNCTION_BLOCKS * e.functions - (e.unscoped ?? 0) + e.params + e.names + e.props + e.pieces;
}

/** Blocks per function object made while starting, fitted (see the top of this file). */
export const CLOSURE_BLOCKS = 10.8;

/**
 * Blocks that starting main() creates on the board, from what it created in QuickJS: a block per
 * property and element, strings and buffers in pieces of the board's size, CLOSURE_BLOCKS per
 * function, and the extra pieces of long property names at the bundle's share of them.
 */
export function startJsVars(c: EngineCounts, blockSize: number, longNameShare: number, jsVarCount?: number): number {
  const l = blockLayout(blockSize, jsVarCount);
  const strings = c.strings + Math.ceil(Math.max(0, c.stringBytes) / l.ext);
  const buffers = 2 * c.buffers + Math.ceil(Math.max(0, c.bufferBytes) / blockSize);
  const blocks = CLOSURE_BLOCKS * c.functions + c.props * (1 + longNameShare) + c.elements + strings + buffers;
  return Math.max(0, Math.ceil(blocks));
}
