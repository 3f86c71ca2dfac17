// What every app's main() receives besides the HAL. On a board the boot entry reads it from the
// Storage file "tinyiot.json"; in the simulator the CLI passes it. Apps add their own fields.
import type { Limits } from '../mqtt/limits.js';

export interface AppConfig {
  /** Azure IoT Hub device connection string (HostName=...;DeviceId=...;SharedAccessKey=...). */
  connectionString?: string;
  /** Plain MQTT broker. */
  host?: string;
  port?: number;
  /** Default true; false is the insecure development mode (plain TCP). */
  tls?: boolean;
  /** PEM of the CA that signed the server certificate. */
  ca?: string;
  /** Pin of the LED the app may blink; the boot entry fills in the board's LED1. */
  led?: string | null;
  /** MQTT limits; the boot entry fills in the board file's own (boards/<id>.json), the client the defaults. */
  limits?: Partial<Limits>;
  /** Application fields. */
  [k: string]: unknown;
}
