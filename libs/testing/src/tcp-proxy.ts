import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP relay in front of a real server, for tests of connections lost at a chosen moment: it can
 * swallow the server's replies (the client keeps waiting for an answer the server already sent) and
 * cut every connection. Nothing is faked: the server sees and executes whatever the client sent.
 */
export interface TcpProxy {
  readonly port: number;
  /** From now on, what the server sends is dropped instead of forwarded. */
  swallowReplies(): void;
  /** Forwards replies again (for connections opened from now on as well). */
  forwardReplies(): void;
  /** Destroys every open connection on both sides, as a network failure would. */
  cutAll(): void;
  /** Cuts everything and stops listening. */
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 and relays each connection to `target`. */
export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let swallow = false;
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.host ?? '127.0.0.1', port: target.port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!swallow) client.write(chunk);
    });
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const cutAll = () => {
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    swallowReplies: () => {
      swallow = true;
    },
    forwardReplies: () => {
      swallow = false;
    },
    cutAll,
    close: () => {
      cutAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
