// The tinyiot command line: a table of commands, each in build/commands/<name>.ts exporting
// `run(argv): Promise<number>` (the exit code) and `help` (its usage text). Every command exits 2
// for a usage mistake (a UsageError, wherever it is found) and 1 for a failure.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './usage-error.js';

interface Command {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<number>; help: string }>;
}

const commands: Record<string, Command> = {
  new: { summary: 'create a firmware project of your own in a new folder', load: () => import('./commands/new.js') },
  boards: { summary: 'list the supported boards and their memory budgets', load: () => import('./commands/boards.js') },
  build: { summary: 'build an app into checked ES5 firmware for a board', load: () => import('./commands/build.js') },
  flash: { summary: 'build an app and upload it to a board over serial or TCP', load: () => import('./commands/flash.js') },
  sim: { summary: 'run an app\'s built firmware in the simulator against a broker or hub', load: () => import('./commands/sim.js') },
  demo: { summary: 'the IoT Hub flow end to end: local hub, simulated device, operator checks', load: () => import('./commands/demo.js') },
  device: { summary: 'add, list, remove local hub devices; print connection strings and SAS tokens', load: () => import('./commands/device.js') },
  hub: { summary: 'run a local IoT-Hub-compatible broker, or send/invoke/watch through a running one', load: () => import('./commands/hub.js') },
  gateway: { summary: 'run the protocol gateway for boards that cannot reach IoT Hub; manage its devices', load: () => import('./commands/gateway.js') },
  script: { summary: 'run a scripted MQTT session from a JSON file', load: () => import('./commands/script.js') },
};

function usage(): string {
  const lines = ['usage: tinyiot <command> [options]', '       tinyiot --version', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', "Run 'tinyiot <command> --help' for a command's options.");
  return lines.join('\n');
}

export const version = (): string =>
  (JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string }).version;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    process.stdout.write(`tinyiot ${version()}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  if (!name) {
    process.stderr.write(`tinyiot: missing <command>\n\n${usage()}\n`);
    return 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`tinyiot: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const mod = await cmd.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(mod.help + '\n');
    return 0;
  }
  try {
    return await mod.run(rest);
  } catch (e) {
    process.stderr.write(`tinyiot ${name}: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
