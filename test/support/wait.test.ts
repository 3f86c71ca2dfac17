import { describe, expect, it } from 'vitest';
import { until } from './wait.js';

describe('until', () => {
  it('resolves once the condition holds', async () => {
    let n = 0;
    await until(() => ++n >= 3, 'three polls');
    expect(n).toBe(3);
  });

  it('fails naming what it waited for', async () => {
    await expect(until(() => false, 'pigs to fly', 50)).rejects.toThrow(/timed out after 50 ms waiting for pigs to fly/);
  });
});
