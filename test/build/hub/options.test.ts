import { expect, it } from 'vitest';
import { isLoopback } from '../../../build/hub/options.js';

it('isLoopback knows the loopback names and addresses, and nothing else', () => {
  for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1']) expect(isLoopback(h)).toBe(true);
  for (const h of ['0.0.0.0', '192.168.1.2', '::', 'example.com', '127.0.0.1.example.com']) expect(isLoopback(h)).toBe(false);
});
