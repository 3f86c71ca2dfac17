export type * from './packet.js';
export { utf8Encode, utf8Decode } from './utf8.js';
export { encode } from './encode.js';
export { createDecoder } from './decode.js';
