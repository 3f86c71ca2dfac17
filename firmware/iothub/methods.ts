// Direct methods: one handler per name; the response carries a status and a JSON body.
import { type DeviceState, json, SUB_METHODS } from './ctx.js';
import { methodResTopic, parseMethod } from './topics.js';

export function onMethod(this: DeviceState, name: string, fn: (payload: any, respond: (status: number, body?: any) => void) => void): void {
  (this.methodHandlers_ || (this.methodHandlers_ = {}))[name] = fn;
  this.subscribe_(SUB_METHODS);
}

/** An incoming message: a method call `POST/{name}/?$rid={rid}` goes to its handler (inline in device.ts onMessage_, as readC2d). */
export function readMethod(dev: DeviceState, topic: string, payload: Uint8Array): void {
  const call = parseMethod(topic), handlers = dev.methodHandlers_;
  if (!call) return;
  const name = call.name;
  let answered = 0;
  // The hub takes one response per request id; a second call is ignored. An undefined body
  // (JSON.stringify gives undefined) goes as null.
  const respond = (status: number, body?: any) => {
    if (!answered++) dev.client_.publish(methodResTopic(status, call.rid), JSON.stringify(body) || 'null', dev.publishOptions_);
  };
  // hasOwnProperty: a method called "toString" must not find Object.prototype's.
  if (handlers && handlers.hasOwnProperty(name)) handlers[name]!(json(payload), respond);
  else respond(501, { message: "method '" + name + "' not implemented" });
}
