// The Node simulator's HAL: real time, real sockets, memory storage, unless a part is supplied.
import type { Hal } from '../types.js';
import { realClock } from './clock.js';
import { nodeCrypto } from './crypto.js';
import { emulatedIo } from './io.js';
import { stderrLog } from './log.js';
import { nodeTransport } from './net.js';
import { memoryStorage } from './storage.js';

export function createEmulatedHal(parts: Partial<Hal> = {}): Hal {
  const clock = parts.clock ?? realClock();
  return {
    clock,
    transport: parts.transport ?? nodeTransport(),
    storage: parts.storage ?? memoryStorage(),
    crypto: parts.crypto ?? nodeCrypto(),
    log: parts.log ?? stderrLog('info'),
    io: parts.io ?? emulatedIo({ clock }),
    random: parts.random ?? Math.random,
  };
}

export { realClock, VirtualClock } from './clock.js';
export { nodeCrypto } from './crypto.js';
export { emulatedIo, type EmulatedIo, type IoOptions } from './io.js';
export { seeded } from './random.js';
export { createLink, type Dir, type Link, type LinkFaults, type LinkOptions, type LinkPeer, type SplitSpec } from './link.js';
export { arrayLog, stderrLog, type Level } from './log.js';
export { nodeTransport } from './net.js';
export { fileStorage, keyToFile, memoryStorage } from './storage.js';
