import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // vitest's default on a 2-core box is cores - 1 = one worker, but most files wait on child
    // processes and sockets: two forks halved the wall time of test/build/commands + test/integration
    // (216 s -> 108 s).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30000,
    hookTimeout: 30000,
  },
});
