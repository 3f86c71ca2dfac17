// Direct-method calls in flight: the hub sends `$iothub/methods/POST/{name}/?$rid={rid}`, the
// device answers on `$iothub/methods/res/{status}/?$rid={rid}`. The caller gets IoT Hub's errors:
// 404 when the device is not connected (or not subscribed to methods), 504 on timeout; 400 for a
// method name that could not go into a topic.
import { charError, idError } from '../../firmware/iothub/ids.js';

export interface MethodResult {
  status: number;
  /** The device's JSON reply, parsed; a body that is not JSON comes back as a string, none as null. */
  payload: unknown;
}

/**
 * Why `name` cannot be a method name, or null: the characters of device ids, and not '?' (the
 * request topic is `.../POST/{name}/?$rid=...`).
 */
export function methodNameError(name: string): string | null {
  return idError('method name', name) ?? charError('method name', name, /\?/);
}

export class MethodError extends Error {
  constructor(readonly status: 400 | 404 | 504, message: string) {
    super(message);
  }
}

interface Call {
  deviceId: string;
  resolve(r: MethodResult): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class MethodCalls {
  private readonly calls = new Map<string, Call>();
  private n = 0;

  /** A new request id and the promise of its answer, rejected with a 504 after `timeoutMs`. */
  start(deviceId: string, method: string, timeoutMs: number): { rid: string; result: Promise<MethodResult> } {
    const rid = (++this.n).toString(16);
    const result = new Promise<MethodResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(rid);
        reject(new MethodError(504, `device '${deviceId}' did not answer method '${method}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.calls.set(rid, { deviceId, resolve, reject, timer });
    });
    return { rid, result };
  }

  /** False for an unknown request id, or one that belongs to another device. */
  answer(deviceId: string, rid: string, status: number, body: Buffer): boolean {
    const c = this.calls.get(rid);
    if (!c || c.deviceId !== deviceId) return false;
    this.calls.delete(rid);
    clearTimeout(c.timer);
    const text = body.toString('utf8');
    let payload: unknown = text || null;
    try {
      if (text) payload = JSON.parse(text);
    } catch {
      // not JSON: handed back as text
    }
    c.resolve({ status, payload });
    return true;
  }

  /** Ends every call with a 504 (hub stopping). */
  cancelAll(): void {
    for (const [rid, c] of this.calls) {
      clearTimeout(c.timer);
      this.calls.delete(rid);
      c.reject(new MethodError(504, 'the hub stopped before the device answered'));
    }
  }
}
