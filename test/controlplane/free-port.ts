// Free loopback ports for etcd and kube-apiserver. The ports are released before the binaries bind them, so another
// process can take one in between; control-plane.ts starts again with fresh ports when a bind fails.
import { createServer, type Server } from 'node:net';

function listenOnAnyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    });
  });
}

/** `count` distinct ports: all are held open together, so the kernel cannot hand out one of them twice. */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const held: { server: Server; port: number }[] = [];
  try {
    for (let i = 0; i < count; i++) held.push(await listenOnAnyPort());
  } finally {
    await Promise.all(held.map(({ server }) => new Promise((resolve) => server.close(resolve))));
  }
  return held.map(({ port }) => port);
}
