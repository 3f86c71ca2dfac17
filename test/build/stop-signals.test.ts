import { afterEach, describe, expect, it } from 'vitest';
import { onStopSignal } from '../../build/stop-signals.js';

describe('onStopSignal', () => {
  let off = () => {};
  afterEach(() => off());

  it('stops once, however many signals come, and keeps listening while stopping', () => {
    const seen: string[] = [];
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    off = onStopSignal((s) => seen.push(s));
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGTERM', 'SIGTERM');
    expect(seen).toEqual(['SIGINT']);
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual([before[0]! + 1, before[1]! + 1]);
    off();
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });

  it('takes SIGTERM as the same request', () => {
    const seen: string[] = [];
    off = onStopSignal((s) => seen.push(s));
    process.emit('SIGTERM', 'SIGTERM');
    expect(seen).toEqual(['SIGTERM']);
  });
});
