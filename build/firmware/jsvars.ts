// Estimates the JsVars a bundle costs on Espruino, which keeps every function's source text in its
// variable store (espruino/Espruino src/jsparse.c, jspeFunctionDefinitionInternal):
//   - the function object, its hidden "cod" name, its scope link and its line-number child: 4 JsVars,
//     plus one name JsVar per parameter;
//   - the body's text, braces included, copied by jslNewStringFromLexer
//     into a flat string (src/jsvar.c jsvNewFlatStringOfLength): one header JsVar, then blockSize
//     bytes per JsVar.
// Nested functions repeat their text inside their parent's, and Espruino keeps both while both are
// alive, so each function counts its whole text. A function that is called on the spot (the
// bundle's wrapper, tsc's class IIFEs) is dropped after it runs and is not counted.
// That is the cost of code sent to RAM (`jsVars`). Code that boots from Storage, as `tinyiot flash`
// installs it, is parsed from memory-mapped flash (STM32 and nRF52 map flash directly; the ESP32 maps
// its js_code partition, targets/esp32/jshardware.c jshFlashGetMemMapAddress) and each function's
// text becomes a native string pointing into flash (jsvNewNativeString): one JsVar instead of the
// flat string (`flashJsVars`). The budget is checked with flashJsVars plus the run-time objects,
// which are measured separately (runtimeJsVars).
import { parse } from 'acorn';

interface Node {
  type: string;
  start: number;
  end: number;
  [k: string]: unknown;
}

export interface CodeEstimate {
  /** Functions whose text stays in RAM. */
  functions: number;
  /** Characters of their text (nested text counted again in every parent). */
  chars: number;
  /** Code sent to RAM. */
  jsVars: number;
  /** Code booted from Storage, text left in flash. */
  flashJsVars: number;
}

const PER_FUNCTION = 4;

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
}

function kids(n: Node): Node[] {
  const out: Node[] = [];
  for (const k in n) {
    const v = n[k];
    if (Array.isArray(v)) for (const c of v) { if (isNode(c)) out.push(c); }
    else if (isNode(v)) out.push(v);
  }
  return out;
}

export function codeJsVars(code: string, blockSize: number): CodeEstimate {
  if (!(blockSize > 0)) throw new Error('codeJsVars: blockSize must be > 0');
  const ast = parse(code, { ecmaVersion: 5 }) as unknown as Node;
  let functions = 0;
  let fixed = 0;
  let chars = 0;
  let jsVars = 0;
  const visit = (n: Node, parent: Node | undefined): void => {
    if (n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration') {
      const iife = parent !== undefined && parent.type === 'CallExpression' && parent.callee === n;
      if (!iife) {
        const len = n.end - (n.body as Node).start;
        const own = PER_FUNCTION + (n.params as Node[]).length;
        functions++;
        fixed += own + 1;
        chars += len;
        jsVars += own + 1 + Math.ceil(len / blockSize);
      }
    }
    for (const c of kids(n)) visit(c, n);
  };
  visit(ast, undefined);
  // From flash the text is one native-string JsVar instead of a flat string.
  return { functions, chars, jsVars, flashJsVars: fixed };
}

/**
 * JsVars for the objects the firmware creates, from heap bytes measured in QuickJS. An Espruino
 * JsVar holds one property (name and small value) or one object header; QuickJS spends at least 16
 * bytes on each property (shape entry + value) and more on objects, so bytes / 16 errs high.
 */
export function runtimeJsVars(heapBytes: number): number {
  return Math.ceil(Math.max(0, heapBytes) / 16);
}
