// Cloud-to-device messages, with their property bag decoded. Modules have no C2D queue at the hub.
import { type DeviceState, SUB_C2D } from './ctx.js';
import { parseC2d } from './topics.js';

export function onC2d(this: DeviceState, fn: DeviceState['c2dHandler_']): void {
  if (this.moduleId_) throw new Error('iothub: modules get no cloud-to-device messages');
  this.c2dHandler_ = fn;
  this.subscribe_(SUB_C2D);
}

/**
 * An incoming message: one on this device's devicebound topic goes to the handler. A plain
 * function called from one place (device.ts onMessage_), which the minifier puts inline there:
 * nothing of it is kept in memory between messages.
 */
export function readC2d(dev: DeviceState, topic: string, payload: Uint8Array): void {
  const handler = dev.c2dHandler_, props = handler && parseC2d(topic, dev.deviceId_);
  if (props) handler!(payload, props);
}
