import { createServer } from 'node:net';

// The benches' own copy of @sanksi/testing's freePort: apps/bench follows the production boundaries and may
// not depend on the test library.
/** A TCP port nothing listens on right now (the OS's pick, on 127.0.0.1), for a server a bench starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
