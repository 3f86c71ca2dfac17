// Free loopback ports: bind port 0, read what the kernel picked, release it. Another process could
// grab it before we reuse it; on a test box that race is rare and shows up as a clear EADDRINUSE.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => (port ? resolve(port) : reject(new Error('no port from the kernel'))));
    });
  });
}
