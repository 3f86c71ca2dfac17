// Boards as data: boards/<id>.json, checked against boards/schema.json (build/board-schema.ts), then
// by the rules that tie fields together (which a schema would state only as long if/then chains
// with poor messages). Every error names the file and the field, so a typo in a board file is
// found without reading this code.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Limits, withLimits } from '../firmware/mqtt/limits.js';
import { orList, schemaProblems, show } from './board-schema.js';
import { jsonErrorAt } from './json.js';
import { UsageError } from './usage-error.js';

export { orList };

export const NETWORKS = ['none', 'ble', 'wifi', 'wifi-at', 'cellular-at', 'ethernet'] as const;
export const TLS_MODES = ['native', 'offload', 'none'] as const;
export const CRYPTOS = ['sha256', 'none'] as const;
export const HALS = ['espruino', 'at-modem', 'emulated'] as const;
export const MODEMS = ['esp8266', 'bg96'] as const;

export type Network = (typeof NETWORKS)[number];
type Pin = string | null;

export interface Board {
  id: string;
  name: string;
  espruinoBoard: string | null;
  mcu: string;
  jsVars: number;
  blockSize: number;
  ramKB: number;
  flashCodeKB: number;
  network: Network;
  tls: (typeof TLS_MODES)[number];
  crypto: (typeof CRYPTOS)[number];
  hal: (typeof HALS)[number];
  modem?: { chip: (typeof MODEMS)[number]; serial: string; baud: number };
  /** A board without TCP/IP that talks MQTT to tinyiot gateway over this serial device. */
  gatewayLink?: { serial: string; baud?: number };
  pins: {
    led1: Pin; led2: Pin; button: Pin;
    modemTx?: string; modemRx?: string; modemCts?: string;
    modemEnable?: string; modemBoot?: string; modemPower?: string; modemReset?: string;
  };
  budget: { maxShare: number; maxBundleBytes: number };
  limits?: Partial<Limits>;
  notes: string;
  insecureDevOnly?: boolean;
  source: string[];
}

export const defaultBoardsDir = fileURLToPath(new URL('../boards/', import.meta.url));
const SCHEMA_FILE = 'schema.json';

/** Bytes per JsVar for a JsVar count (Espruino src/jsutils.h, JSVAR_CACHE_SIZE). */
export function espruinoBlockSize(jsVars: number): number {
  return jsVars <= 2047 ? 12 : jsVars <= 8191 ? 13 : jsVars <= 16383 ? 14 : 16;
}

/** JsVars (and about that many bytes) the tinyiot bundle may use on this board. */
export function boardBudget(b: Board): { jsVars: number; bytes: number; maxBundleBytes: number } {
  const jsVars = Math.floor(b.jsVars * b.budget.maxShare);
  return { jsVars, bytes: jsVars * b.blockSize, maxBundleBytes: b.budget.maxBundleBytes };
}

export function boardLimits(b: Board): Limits {
  // The firmware keeps the defaults as a prototype (fewer blocks on a board); the host wants every
  // field as its own, for JSON and for comparing.
  const limits = withLimits(b.limits);
  const flat: Record<string, number> = {};
  for (const k in limits) flat[k] = limits[k as keyof Limits];
  return flat as unknown as Limits;
}

const AT_NETWORKS: Record<string, string> = { 'wifi-at': 'esp8266', 'cellular-at': 'bg96' };

/** Rules between fields; only run once every field has the right shape. */
function crossCheck(b: Board, fileId: string | undefined, errs: string[]): void {
  if (fileId !== undefined && b.id !== fileId) {
    errs.push(`field 'id' must match the file name: expected "${fileId}" (got ${show(b.id)})`);
  }
  const atNet = AT_NETWORKS[b.network];
  if (b.hal === 'at-modem' && !atNet) errs.push(`field 'network' must be wifi-at or cellular-at when hal is 'at-modem' (got "${b.network}")`);
  if (b.hal !== 'at-modem' && atNet) errs.push(`field 'hal' must be 'at-modem' for network '${b.network}' (got "${b.hal}")`);
  if (b.hal === 'at-modem') {
    if (!b.modem) errs.push(`missing field 'modem' (needed when hal is 'at-modem')`);
    else if (atNet && b.modem.chip !== atNet) errs.push(`field 'modem.chip' must be ${atNet} for network '${b.network}' (got "${b.modem.chip}")`);
    for (const p of ['modemTx', 'modemRx'] as const) if (!b.pins[p]) errs.push(`missing field 'pins.${p}' (needed when hal is 'at-modem')`);
  } else if (b.modem) {
    errs.push(`field 'modem' is only for hal 'at-modem' (hal is "${b.hal}")`);
  }
  if (b.tls === 'offload' && b.hal !== 'at-modem') errs.push(`field 'tls' can be 'offload' only when hal is 'at-modem' (hal is "${b.hal}")`);
  if (b.hal === 'at-modem' && b.tls === 'native') errs.push(`field 'tls' must be offload or none when hal is 'at-modem' (got "native")`);
  if ((b.hal === 'emulated') !== (b.espruinoBoard === null)) {
    errs.push(b.hal === 'emulated'
      ? `field 'espruinoBoard' must be null when hal is 'emulated' (got ${show(b.espruinoBoard)})`
      : `field 'espruinoBoard' must name Espruino's BOARD when hal is '${b.hal}' (got null)`);
  }
  const ip = b.network !== 'none' && b.network !== 'ble';
  if (b.gatewayLink && (ip || b.hal !== 'espruino')) {
    errs.push(`field 'gatewayLink' is only for hal 'espruino' boards without TCP/IP (network ble or none; got hal "${b.hal}", network "${b.network}")`);
  }
  if (b.gatewayLink?.serial === 'Bluetooth' && b.gatewayLink.baud !== undefined) errs.push(`field 'gatewayLink.baud' does not apply to Bluetooth`);
  if (!ip && b.tls !== 'none') errs.push(`field 'tls' must be 'none' for network '${b.network}' (no TCP/IP on the board; got "${b.tls}")`);
  if (ip && b.tls === 'none' && b.insecureDevOnly !== true) {
    errs.push(`field 'insecureDevOnly' must be true when tls is 'none' on a '${b.network}' board (only the insecure development mode works)`);
  }
  const bs = espruinoBlockSize(b.jsVars);
  if (b.blockSize !== bs) errs.push(`field 'blockSize' must be ${bs} for ${b.jsVars} JsVars (Espruino src/jsutils.h; got ${b.blockSize})`);
  if (b.jsVars * b.blockSize > b.ramKB * 1024) {
    errs.push(`field 'jsVars' does not fit in RAM: ${b.jsVars} x ${b.blockSize} B > ${b.ramKB} KB`);
  }
  const cap = Math.min(boardBudget(b).bytes, b.flashCodeKB * 1024);
  if (b.budget.maxBundleBytes > cap) {
    errs.push(`field 'budget.maxBundleBytes' must be at most ${cap} (the JsVar budget in bytes and the saved-code flash; got ${b.budget.maxBundleBytes})`);
  }
  const l = boardLimits(b);
  if (l.backoffMin > l.backoffMax) errs.push(`field 'limits.backoffMin' must not exceed backoffMax (${l.backoffMin} > ${l.backoffMax})`);
}

/**
 * Checks a parsed board file. `file` is how errors name it (e.g. "boards/esp32.json"); when it ends
 * in .json, the board's id must equal its base name.
 */
export function validateBoard(obj: unknown, file: string): Board {
  const errs: string[] = [];
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) errs.push(`must be a JSON object (got ${show(obj)})`);
  else errs.push(...schemaProblems(obj, defaultBoardsDir, SCHEMA_FILE));
  if (errs.length === 0) {
    const name = basename(file);
    crossCheck(obj as Board, name.endsWith('.json') ? name.slice(0, -5) : undefined, errs);
  }
  if (errs.length) throw new Error(errs.map((e) => `${file}: ${e}`).join('\n'));
  const { $schema: _, ...board } = obj as Board & { $schema?: string };
  return board;
}

/** The path to show: relative to the working directory when inside it. */
function displayPath(full: string): string {
  const rel = relative(process.cwd(), full);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : full;
}

function readBoard(dir: string, id: string): Board {
  const full = join(dir, `${id}.json`);
  const shown = displayPath(full);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (e) {
    throw new Error(`${shown}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    // JSON.parse's text would quote the file around the mistake.
    throw new Error(`${shown}: invalid JSON (${jsonErrorAt(text)})`);
  }
  return validateBoard(obj, shown);
}

export function boardIds(boardsDir: string = defaultBoardsDir): string[] {
  return readdirSync(boardsDir)
    .filter((f) => f.endsWith('.json') && f !== SCHEMA_FILE)
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadBoard(id: string, boardsDir: string = defaultBoardsDir): Board {
  if (typeof id !== 'string' || !id) throw new Error('loadBoard: board id must be a non-empty string');
  const ids = boardIds(boardsDir);
  if (!ids.includes(id)) throw new UsageError(`unknown board '${id}' (known boards: ${ids.join(', ')})`);
  return readBoard(boardsDir, id);
}

/** Every board, sorted by id; throws on the first invalid file. */
export function listBoards(boardsDir: string = defaultBoardsDir): Board[] {
  return boardIds(boardsDir).map((id) => readBoard(boardsDir, id));
}
