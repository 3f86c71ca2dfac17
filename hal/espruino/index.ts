// The Espruino HAL. A board's entry imports the factory for its network (native.ts or modem.ts)
// and passes the parts its board file names (crypto, io, AT profile, WiFi join), so its bundle carries
// nothing else; build/firmware/entry.ts generates that entry.
export { toByteString, toBytes } from './bytes.js';
export { espruinoClock } from './clock.js';
export { espruinoCore, type EspruinoBoard, type EspruinoHal, type EspruinoParts } from './core.js';
export { nativeCrypto } from './crypto.js';
export type { EspruinoE, EspruinoEnv } from './env.js';
export { hostIo, IO_FRAME, SENSE_DEFAULTS } from './host-io.js';
export { espruinoIo } from './io.js';
export { createEspruinoLinkHal, linkTransport, type LinkBoard } from './link.js';
export { espruinoLog } from './log.js';
export { createEspruinoModemHal, type ModemBoard, type ModemParts } from './modem.js';
export { createEspruinoHal, type NativeParts } from './native.js';
export { espruinoStorage, storageName } from './storage.js';
export { espruinoTransport, pemToDer } from './transport.js';
export { espruinoUtf8 } from './utf8.js';
export { atWifiJoin, espruinoAtSerial, type EspruinoSerial } from './wifi-at.js';
export { wifiJoin, type JoinCb, type JoinOptions } from './wifi.js';
