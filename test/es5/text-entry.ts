// What the text tests bundle for the ES5 engines: the codec, the IoT Hub pieces that read topics
// and connection strings, and the converter hal/espruino gives a board (installed with useUtf8 on
// Espruino, as createClient does with hal.utf8).
export * from '../../firmware/mqtt/codec/index.js';
export { useUtf8 } from '../../firmware/mqtt/codec/utf8.js';
export { encodePublish } from '../../firmware/mqtt/codec/client-encode.js';
export { espruinoUtf8 } from '../../hal/espruino/utf8.js';
export { parseC2d, parseDesired, parseMethod, parseTwinRes } from '../../firmware/iothub/topics.js';
export { decodePropertyBag, encodePropertyBag } from '../../firmware/iothub/propbag.js';
export { parseConnectionString } from '../../firmware/iothub/connstr.js';
