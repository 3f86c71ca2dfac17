// The IoT Hub device layer's public surface.
export { createDevice, type Device, type DeviceOptions, type Twin } from './device.js';
export { register, type DpsOptions, type Registration } from './dps.js';
export { provision, type ProvisionedOptions } from './provision.js';
