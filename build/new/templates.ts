// The files `tinyiot new` writes: a firmware project of the user's own that depends on tinyiot
// and imports its firmware as an installed package is imported (tinyiot/firmware/..., resolved
// through the package's exports; the build resolves the same names to the tinyiot that builds it).
// The tsconfig's lib is ES5, so the editor and the build's type check flag ES2015 library calls
// (Object.assign, Array.from...) the boards do not have.

export type Template = 'mqtt' | 'iothub';
export const TEMPLATES: Template[] = ['mqtt', 'iothub'];

const mqttMain = `// Publishes a counter to <topic>/state every \`interval\` seconds; a message on <topic>/cmd
// ("on", "off", anything else toggles) sets the LED. hal is the board (clock, network, storage,
// pins, log); cfg is config.example.json here, tinyiot.json on the board.
import type { Hal } from 'tinyiot/hal/types';
import type { AppConfig } from 'tinyiot/firmware/apps/config';
import { createClient } from 'tinyiot/firmware/mqtt/client';

export function main(hal: Hal, cfg: AppConfig): void {
  const topic = (cfg.topic as string) || 'tinyiot/my-device';
  const every = ((cfg.interval as number) || 10) * 1000;
  let count = 0;
  let on = false;
  if (!cfg.host) throw new Error('config needs host');

  const client = createClient(hal, {
    host: cfg.host,
    port: cfg.port || (cfg.tls === false ? 1883 : 8883),
    tls: cfg.tls !== false,
    ca: cfg.ca,
    clientId: (cfg.clientId as string) || 'tinyiot-' + Math.floor(hal.random() * 1e6),
    clean: true,
    limits: cfg.limits,
  });
  const publish = () => client.publish(topic + '/state', '{"count":' + count++ + ',"led":' + on + '}', { qos: 1 });

  client.on('connect', () => {
    hal.log.info('connected to ' + cfg.host);
    client.subscribe([{ topic: topic + '/cmd', qos: 1 }]);
  });
  client.on('message', (_topic, payload) => {
    let text = '';
    for (let i = 0; i < payload.length; i++) text += String.fromCharCode(payload[i]!);
    on = text == 'on' ? true : text == 'off' ? false : !on;
    if (cfg.led) hal.io.write(cfg.led, on);
    publish();
  });
  client.on('error', (e) => hal.log.warn('mqtt: ' + e));
  const tick = () => {
    if (client.connected) publish();
    hal.clock.setTimer(every, tick);
  };
  client.connect();
  hal.clock.setTimer(every, tick);
}
`;

const iothubMain = `// Sends {"temperature": ...} to Azure IoT Hub every \`interval\` seconds and logs cloud-to-device
// messages. hal is the board (clock, network, storage, pins and sensors, log); cfg is
// config.example.json here, tinyiot.json on the board.
import type { Hal } from 'tinyiot/hal/types';
import type { AppConfig } from 'tinyiot/firmware/apps/config';
import { createDevice } from 'tinyiot/firmware/iothub/device';

export function main(hal: Hal, cfg: AppConfig): void {
  const every = ((cfg.interval as number) || 30) * 1000;
  if (!cfg.connectionString) throw new Error('config needs connectionString');

  const device = createDevice(hal, { connectionString: cfg.connectionString, host: cfg.host, port: cfg.port, tls: cfg.tls, ca: cfg.ca, limits: cfg.limits });
  device.on('connect', () => hal.log.info('connected'));
  device.on('error', (e) => hal.log.warn('iothub: ' + e));
  device.onC2d((body) => {
    let text = '';
    for (let i = 0; i < body.length; i++) text += String.fromCharCode(body[i]!);
    hal.log.info('cloud-to-device message: ' + text);
  });
  const tick = () => {
    if (device.connected) device.send('{"temperature":' + hal.io.sense('temp') + '}', { '$.ct': 'application/json', '$.ce': 'utf-8' });
    hal.clock.setTimer(every, tick);
  };
  device.connect();
  hal.clock.setTimer(every, tick);
}
`;

const configs: Record<Template, object> = {
  mqtt: { host: '127.0.0.1', port: 1883, tls: false, topic: 'tinyiot/my-device', interval: 2 },
  iothub: { connectionString: 'HostName=example.azure-devices.net;DeviceId=my-device;SharedAccessKey=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', interval: 2 },
};

const simCommand: Record<Template, string> = {
  mqtt: 'npx tinyiot sim . --broker mqtt://127.0.0.1:1883   # a local mosquitto',
  iothub: 'npx tinyiot sim . --hub local                      # a local IoT hub for the run',
};

export const tsconfig = {
  compilerOptions: {
    target: 'ES5',
    lib: ['ES5'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  },
  include: ['src'],
};

const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

/** The project's files, path -> text. */
export function projectFiles(name: string, template: Template, tinyiotVersion: string): Record<string, string> {
  return {
    'package.json': json({
      name,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: { build: 'tinyiot build . --board espruino-wifi', sim: simCommand[template].split('   #')[0]!.replace('npx ', '').trim() },
      devDependencies: { tinyiot: `^${tinyiotVersion}` },
    }),
    'tsconfig.json': json(tsconfig),
    'src/main.ts': template === 'mqtt' ? mqttMain : iothubMain,
    'config.example.json': json(configs[template]),
    '.gitignore': 'node_modules/\nout/\n',
    'README.md': `# ${name}

Firmware for Espruino boards, written with [tinyiot](https://www.npmjs.com/package/tinyiot). The app
is \`src/main.ts\`; \`config.example.json\` is its sample config (on a board: \`tinyiot flash --config\`).

\`\`\`sh
npm install                                          # tinyiot, the build tools and the simulator
npx tinyiot build . --board espruino-wifi            # type-checked, checked ES5 firmware in out/espruino-wifi/
${simCommand[template]}
\`\`\`

Then \`npx tinyiot flash . --board espruino-wifi --port /dev/ttyACM0 --config my-device.json\`.
\`npx tinyiot boards\` lists the boards.

The API the app uses (\`createClient\`, \`createDevice\`, \`hal.io\`, \`hal.storage\`, \`hal.clock\`,
\`hal.log\`) is described in [node_modules/tinyiot/docs/api.md](node_modules/tinyiot/docs/api.md)
once \`npm install\` has run.
`,
  };
}
