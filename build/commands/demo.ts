// `tinyiot demo`: the whole stack end to end with nothing installed. An embedded broker behind
// TLS (throwaway CA), then examples/scripts/demo.json played by the same runner as `tinyiot script`,
// narrated for a person rather than printed as JSON.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedBroker } from '../script/embedded.js';
import { textLine, type Event } from '../script/events.js';
import { loadScript } from '../script/load.js';
import type { Step } from '../script/parse.js';
import { play } from './script.js';

export const help = `usage: tinyiot demo

Starts an embedded MQTT broker on a free loopback port, behind TLS with a certificate authority
made for this run only, and plays examples/scripts/demo.json against it on the firmware's own
MQTT client: connect, subscribe, publish at QoS 0, 1 and 2, receive the messages back, disconnect.
Prints each step and a summary, then stops by itself. Exit 0 when every message came back.

The same script format runs against any broker: tinyiot script --help`;

const DEMO = fileURLToPath(new URL('../../examples/scripts/demo.json', import.meta.url));

const out = (s: string) => process.stdout.write(s + '\n');
const text = (b: Uint8Array) => JSON.stringify(Buffer.from(b).toString('utf8'));

/** One line saying what a step is about to do. */
export function describeStep(s: Step): string {
  switch (s.op) {
    case 'connect':
      return `connect as "${s.clientId}" (${s.clean ? 'clean session' : 'keep session'}, keepalive ${s.keepalive} s${
        s.will ? `, will on ${s.will.topic}` : ''
      })`;
    case 'subscribe':
      return `subscribe to ${s.filters.map((f) => `${f.topic} (QoS ${f.qos})`).join(', ')}`;
    case 'publish': {
      const bytes = s.payload.every((b) => b >= 0x20 && b < 0x7f) ? text(s.payload) : `${s.payload.length} bytes of binary`;
      return `publish ${bytes} to ${s.topic} at QoS ${s.qos}${s.retain ? ', retained' : ''}${s.await ? ', wait for the ack' : ''}`;
    }
    case 'unsubscribe':
      return `unsubscribe from ${s.filters.join(', ')}`;
    case 'wait':
      return `wait ${s.ms} ms for messages`;
    case 'drop':
      return 'drop the connection (no DISCONNECT)';
    case 'disconnect':
      return 'disconnect';
  }
}

export async function run(argv: string[]): Promise<number> {
  if (argv.length) {
    process.stderr.write(`tinyiot demo: takes no arguments\n\n${help}\n`);
    return 2;
  }
  const loaded = await loadScript(DEMO);
  out('tinyiot demo');
  out('  starting an embedded MQTT broker with TLS (making a throwaway CA and server certificate) ...');
  const broker = await startEmbeddedBroker({ tls: true });
  // The script's own address is a placeholder; point it at the broker we just started.
  loaded.script.host = broker.host;
  loaded.script.port = broker.port;
  loaded.script.tls = true;
  loaded.pem = { ca: broker.ca };
  out(`  broker listening on ${broker.host}:${broker.port} (TLS, server certificate verified against that CA)`);
  out(`  playing ${relative(process.cwd(), DEMO) || DEMO} on the firmware MQTT client (firmware/mqtt/client.ts)`);

  const sent = [0, 0, 0];
  let received = 0;
  let errors = 0;
  const emit = (e: Event) => {
    if (e.ev === 'published') sent[e.qos]!++;
    if (e.ev === 'message') received++;
    if (e.ev === 'error') errors++;
    out(`      ${textLine(e)}`);
  };
  let code: number;
  try {
    code = await play(loaded, emit, (n, s) => out(`  [${n}] ${describeStep(s)}`));
  } finally {
    await broker.stop();
  }

  const published = sent[0]! + sent[1]! + sent[2]!;
  out('');
  out(
    `summary: ${loaded.script.steps.length} steps, ${published} messages published (QoS 0: ${sent[0]}, QoS 1: ${sent[1]}, QoS 2: ${sent[2]}), ` +
      `${received} received back, ${errors} errors`,
  );
  if (code === 0 && errors === 0 && received === published && published > 0) {
    out('demo OK. Next: tinyiot script --help, or try examples/scripts/local-demo.json against your own broker.');
    return 0;
  }
  out('demo FAILED: see the lines above.');
  return code || 1;
}
