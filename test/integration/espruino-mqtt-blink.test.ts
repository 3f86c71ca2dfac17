// The mqtt-blink firmware on Espruino's own interpreter against Debian's mosquitto: it connects,
// subscribes, sends its state at QoS 0, 1 and 2, obeys commands sent at QoS 0, 1 and 2, and keeps
// its persistent session across a broker crash (SIGKILL) and restart without losing a QoS 1 state
// message. The observer is MQTT.js, an independent client.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binary.js';
import { type Broker, startMosquitto } from '../support/brokers.js';
import { requireEspruino } from '../support/espruino.js';
import { type EspruinoDevice, removeEspruinoBuilds, startEspruinoDevice } from '../support/espruinoDevice.js';
import { until } from '../support/wait.js';

const skip = requireEspruino().missing || requireBinary('mosquitto').missing;

describe.skipIf(skip)('mqtt-blink on Espruino vs mosquitto', () => {
  let broker: Broker;
  let observer: MqttClient;
  const states = new Map<string, { n: number; led: boolean; qos: number }[]>();
  let device: EspruinoDevice | undefined;

  beforeAll(async () => {
    broker = await startMosquitto();
    observer = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId: 'observer', clean: false, reconnectPeriod: 200 });
    observer.on('message', (topic, payload, packet) => {
      const base = topic.replace(/\/state$/, '');
      if (!states.has(base)) states.set(base, []);
      states.get(base)!.push({ ...JSON.parse(payload.toString()), qos: packet.qos });
    });
    await new Promise<void>((res) => observer.once('connect', () => res()));
    await observer.subscribeAsync('blink/+/state', { qos: 2 });
  }, 30_000);

  afterAll(async () => {
    await device?.stop();
    await observer?.endAsync();
    await broker?.stop();
    removeEspruinoBuilds();
  });

  const cfg = (name: string, extra: Record<string, unknown> = {}) => ({
    host: '127.0.0.1', port: broker.port, tls: false, clientId: `espruino-${name}`, topic: `blink/${name}`, interval: 1, ...extra,
  });

  it.each([0, 1, 2])('connects, subscribes, publishes its state at QoS %i and obeys commands at QoS 0, 1 and 2', { timeout: 60_000 }, async (qos) => {
    const name = `q${qos}`;
    device = await startEspruinoDevice('mqtt-blink', cfg(name, { qos }));
    const got = () => states.get(`blink/${name}`) ?? [];
    await until(() => got().length >= 2, `two state messages from the device at QoS ${qos}`, 20_000);
    expect(got().every((s) => s.qos === qos)).toBe(true);
    for (const [cmdQos, cmd, led] of [[0, 'on', 1], [1, 'off', 0], [2, 'on', 1]] as const) {
      const before = device.pins.length;
      await observer.publishAsync(`blink/${name}/cmd`, cmd, { qos: cmdQos });
      await until(() => device!.pins.slice(before).includes(`B2=${led}`), `the LED after "${cmd}" at QoS ${cmdQos}`, 10_000);
      await until(() => got().some((s) => s.led === !!led), `a state with led=${!!led}`, 10_000);
    }
    expect(device.errors).toEqual([]);
    await device.stop();
    device = undefined;
  });

  it('keeps its session across a broker crash and restart: every QoS 1 state message arrives', { timeout: 90_000 }, async () => {
    device = await startEspruinoDevice('mqtt-blink', cfg('persist', { qos: 1, clean: false }));
    const got = () => (states.get('blink/persist') ?? []).map((s) => s.n);
    await until(() => got().length >= 3, 'three state messages before the crash', 20_000);
    await broker.restart('SIGKILL');
    const last = Math.max(...got());
    await until(() => got().some((n) => n > last + 3), 'state messages after the restart', 30_000);
    // A command sent to the kept session is delivered too.
    await observer.publishAsync('blink/persist/cmd', 'on', { qos: 1 });
    await until(() => device!.pins.includes('B2=1'), 'the LED after a command on the kept session', 15_000);
    const seen = new Set(got());
    const top = Math.max(...seen);
    const missing = [...Array(top + 1).keys()].filter((n) => !seen.has(n));
    expect(missing).toEqual([]);
    expect(device.errors).toEqual([]);
  });
});
