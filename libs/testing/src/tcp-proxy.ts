import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP relay in front of a real server, for tests of connections lost at a chosen moment. Nothing
 * is faked: the server sees and executes whatever reaches it. A trap picks the moment by content —
 * the first client message containing `marker` (e.g. the name of the SQL function an append calls):
 * - `reply`: that message is forwarded, and from then on the server's answers on that connection are
 *   dropped (the server commits, the client never hears it);
 * - `request`: that message and everything after it on that connection are dropped (the server
 *   never sees it).
 * Either way the connection is then held until `cutAll()` (or `cut()` of the trap).
 */
export interface TcpProxy {
  readonly port: number;
  /** Arms a one-shot trap; `sprung` resolves once a message containing `marker` has passed. */
  trap(marker: string, drop: 'reply' | 'request'): { sprung: Promise<void> };
  /** From now on, new connections are closed at once (the server looks down); open ones stay. */
  refuseConnections(): void;
  /** Relays new connections again. */
  acceptConnections(): void;
  /** Destroys every open connection on both sides, as a network failure would. */
  cutAll(): void;
  /** Cuts everything and stops listening. */
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 and relays each connection to `target`. */
export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let refuse = false;
  let armed: { marker: Buffer; drop: 'reply' | 'request'; spring: () => void } | null = null;
  const server = createServer((client) => {
    if (refuse) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: target.host ?? '127.0.0.1', port: target.port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    let dropReplies = false;
    let dropRequests = false;
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const trap = armed;
      if (trap && chunk.includes(trap.marker)) {
        armed = null;
        if (trap.drop === 'reply') dropReplies = true;
        else dropRequests = true;
        if (!dropRequests) upstream.write(chunk);
        trap.spring();
        return;
      }
      if (!dropRequests) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!dropReplies) client.write(chunk);
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
    trap(marker, drop) {
      let spring!: () => void;
      const sprung = new Promise<void>((resolve) => (spring = resolve));
      armed = { marker: Buffer.from(marker), drop, spring };
      return { sprung };
    },
    refuseConnections: () => {
      refuse = true;
    },
    acceptConnections: () => {
      refuse = false;
    },
    cutAll,
    close: () => {
      cutAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
