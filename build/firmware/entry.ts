// Generates the TypeScript entry that turns an app into one board's firmware. Every choice is read
// from the board file's fields through the tables below (hal, crypto, network, modem.chip), never
// from its id, and each choice is an import: what a board does not use is never bundled, e.g. the
// pure-JS SHA-256 wrapper only where crypto is "none", the AT modem code only where hal is "at-modem".
// The entry exports run(): on a board run(env, cfg?) builds the HAL from the Espruino globals in env
// (handed over by the boot line, see bootLine) with hal/espruino's factories, createEspruinoHal or
// createEspruinoModemHal, the same code the tests drive, given the parts the board picks; it reads cfg
// from Storage "tinyiot.json". In the simulator (hal "emulated") run(hal, cfg) gets both from the
// host. The bundle names no global.
import { fileURLToPath } from 'node:url';
import type { Board } from '../boards.js';
import type { App } from './apps.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const at = (rel: string): string => JSON.stringify(root + rel);

export interface EntryOptions {
  /** Plain TCP on a board without TLS (boards with insecureDevOnly). */
  insecureDev?: boolean;
  /**
   * The simulator on Espruino's interpreter: pins and sensors are the host's (hal/espruino/host-io.ts),
   * every connection is reported to the host (hal/espruino/host-watch.ts), and the boot line hands
   * over the global scope, where host-watch finds btoa.
   */
  simHost?: boolean;
}

/** The Espruino globals hal/espruino takes (hal/espruino/env.ts), by the names the env uses. */
const envGlobals = ['require', 'getTime', 'setTimeout', 'clearTimeout', 'E', 'digitalWrite', 'digitalRead', 'analogRead', 'print'];

/**
 * The statement that starts the firmware on a board: hands Espruino's globals to the bundle's
 * run(). `target` is the bundle's global name (or an expression for the module form).
 */
export function bootLine(b: Board, target: string, o: EntryOptions = {}): string {
  const env = envGlobals.map((g) => `${g}:${g}`);
  if (b.modem) env.push(`serial:${b.modem.serial}`);
  if (b.gatewayLink) env.push(`serial:${b.gatewayLink.serial}`);
  // `this` at the top level of a script is the global object in every ES5 engine (Espruino included),
  // where `global` is Espruino's and Node's name only.
  if (o.simHost) env.push('global:this');
  return `${target}.run({${env.join(',')}});`;
}

/** Globals the boot line uses that ES5 checks ban (a board has them; the bundle does not use them). */
export const bootGlobals = ['setTimeout', 'clearTimeout'];

/** An import and the expression that uses what it imports. */
interface Part {
  imports: string[];
  expr: string;
}

const part = (name: string, file: string): Part => ({ imports: [`import { ${name} } from ${at(file)};`], expr: name });

const crypto: Record<Board['crypto'], Part> = {
  sha256: part('nativeCrypto', 'hal/espruino/crypto.ts'),
  none: part('jsCrypto', 'firmware/crypto/index.ts'),
};

/** The HAL factory for the board's hal: Espruino's own net/tls, or an AT modem on a UART. */
const factory: Record<'espruino' | 'at-modem', Part> = {
  espruino: part('createEspruinoHal', 'hal/espruino/native.ts'),
  'at-modem': part('createEspruinoModemHal', 'hal/espruino/modem.ts'),
};

/** A board without TCP/IP: MQTT over its serial link to tinyiot gateway. */
const gatewayLink = part('createEspruinoLinkHal', 'hal/espruino/link.ts');

/** How a board joins a network before the app starts; networks not listed have nothing to join. */
const join: Partial<Record<Board['network'], Part>> = {
  wifi: part('wifiJoin', 'hal/espruino/wifi.ts'),
  'wifi-at': part('atWifiJoin', 'hal/espruino/wifi-at.ts'),
};

/** The AT command set of the board's modem.chip: hal/at-modem/<chip>.ts exports it as <chip>. */
const profile = (chip: string): Part => part(chip, `hal/at-modem/${chip}.ts`);

/** Pins and sensors: the board's own, or the host's when the simulator runs on Espruino. */
const io = (o: EntryOptions): Part => (o.simHost ? part('hostIo', 'hal/espruino/host-io.ts') : part('espruinoIo', 'hal/espruino/io.ts'));

/** The parts of the HAL the board file's fields pick, by the names the factories take them under. */
function parts(b: Board, o: EntryOptions): [string, Part][] {
  const picked: [string, Part | undefined][] = [
    ['crypto', crypto[b.crypto]],
    ['io', io(o)],
    ['profile', b.modem ? profile(b.modem.chip) : undefined],
    ['wifi', join[b.network]],
  ];
  return picked.filter((p): p is [string, Part] => !!p[1]);
}

/** The board's limits as its file gives them, not merged with the defaults: the client takes the
 *  defaults for the rest itself (withLimits), so a copy of them would be bytes in the bundle only. */
function bootInfo(b: Board): string {
  return JSON.stringify({ id: b.id, led: b.pins.led1, limits: b.limits });
}

/** The config start() gets: through insecureDev() in an --insecure-dev build only, so that its
 *  warning is in no other bundle. */
const config = (cfg: string, o: EntryOptions) => (o.insecureDev ? `insecureDev(hal, ${cfg})` : cfg);

function header(app: App, b: Board, o: EntryOptions): string[] {
  return [
    `// Generated by 'tinyiot build ${app.name} --board ${b.id}' (build/firmware/entry.ts). Do not edit.`,
    `import { main } from ${JSON.stringify(app.main)};`,
    `import { ${o.insecureDev ? 'insecureDev, ' : ''}start } from ${at('firmware/boot/start.ts')};`,
  ];
}

function emulated(app: App, b: Board, o: EntryOptions): string {
  // The host's HAL has native crypto; a board without SHA-256 is simulated with the JS fallback.
  const c = b.crypto === 'none' ? crypto.none : undefined;
  return [
    ...header(app, b, o),
    `import type { Hal } from ${at('hal/types.ts')};`,
    `import type { AppConfig } from ${at('firmware/apps/config.ts')};`,
    ...(c ? c.imports : []),
    '',
    `export function run(hal: Hal, cfg: AppConfig): void {`,
    ...(c ? [`  hal.crypto = ${c.expr}();`] : []),
    `  start(main, hal, ${config('cfg', o)}, ${bootInfo(b)});`,
    `}`,
    '',
  ].join('\n');
}

function espruino(app: App, b: Board, o: EntryOptions): string {
  const make = b.gatewayLink ? gatewayLink : factory[b.hal as 'espruino' | 'at-modem'];
  const picked = parts(b, o);
  // The fields of the board file the HAL reads (EspruinoBoard), nothing more.
  const board = JSON.stringify(
    b.modem ? { pins: b.pins, modem: { baud: b.modem.baud } }
    : b.gatewayLink ? { pins: b.pins, link: b.gatewayLink }
    : { pins: b.pins },
  );
  return [
    ...header(app, b, o),
    `import type { AppConfig } from ${at('firmware/apps/config.ts')};`,
    `import type { EspruinoEnv } from ${at('hal/espruino/env.ts')};`,
    `import { readConfig } from ${at('hal/espruino/boot.ts')};`,
    ...make.imports,
    ...picked.flatMap(([, p]) => p.imports),
    ...(o.simHost ? [`import { hostWatch } from ${at('hal/espruino/host-watch.ts')};`] : []),
    '',
    `export function run(env: EspruinoEnv, cfg?: AppConfig): void {`,
    `  const hal = ${make.expr}(env, ${board}, { ${picked.map(([k, p]) => `${k}: ${p.expr}`).join(', ')} });`,
    ...(o.simHost ? [`  hal.transport = hostWatch(hal.transport, env);`] : []),
    // hal.wifi only where a join part was given: elsewhere start's join path is dead code, dropped.
    `  start(main, hal, ${config('cfg || readConfig(env)', o)}, ${bootInfo(b)}${join[b.network] ? ', hal.wifi' : ''});`,
    `}`,
    '',
  ].join('\n');
}

export function generateEntry(app: App, b: Board, o: EntryOptions = {}): string {
  if (b.hal !== 'emulated') return espruino(app, b, o);
  if (o.simHost) throw new Error(`simHost is for a board running Espruino; ${b.id}'s hal is "emulated", whose io the host passes in`);
  return emulated(app, b, o);
}
