import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { poll, type PollOptions } from './pollers';

/** One poller asking `/` twice a second for a second, in the test's own thread; `changes` override. */
const polling = (base: string, changes: Partial<PollOptions> = {}): PollOptions => ({
  base,
  pollers: 1,
  rate: 2,
  seconds: 1,
  requests: [{ path: '/', headers: {} }],
  phase: 'random',
  threads: 0,
  ...changes,
});

/** A real HTTP server on a free port that answers with `answer(request)` after `delayMs`. */
async function serverAnswering(
  answer: (req: IncomingMessage) => number,
  delayMs = 0,
): Promise<{
  base: string;
  seen: Array<{ path: string; headers: IncomingMessage['headers'] }>;
  server: Server;
}> {
  const seen: Array<{ path: string; headers: IncomingMessage['headers'] }> = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    setTimeout(() => {
      res.writeHead(answer(req));
      res.end();
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('the feed pollers driver', () => {
  it('connects every poller first, then polls each at its rate, in turn over the requests, on its own connection', async () => {
    const { base, seen, server } = await serverAnswering((req) => (req.url === '/a' ? 200 : 304));
    const sockets = new Set<unknown>();
    server.on('connection', (socket) => sockets.add(socket));
    try {
      const result = await poll(
        polling(base, {
          pollers: 5,
          rate: 10,
          requests: [
            { path: '/a', headers: { 'x-poller': 'a' } },
            { path: '/b', headers: { 'if-none-match': '"tag"' } },
          ],
        }),
      );
      // 10 a second for one second each, after one connecting request each.
      expect(result.polls).toBe(50);
      expect(seen).toHaveLength(55);
      expect(result.perSecond).toBe(50);
      expect(result.failures).toBe('none');
      expect(sockets.size).toBe(5);
      expect(new Set(seen.map((s) => s.path))).toEqual(new Set(['/a', '/b']));
      expect(seen.filter((s) => s.path === '/b').every((s) => s.headers['if-none-match'] === '"tag"')).toBe(
        true,
      );
    } finally {
      server.close();
    }
  });

  it('times each poll from when it was due, so a slow answer also delays the polls queued behind it', async () => {
    // Answers take 250 ms while a poll is due every 100 ms: each poll waits for the one before it.
    const { base, server } = await serverAnswering(() => 304, 250);
    try {
      const result = await poll(polling(base, { rate: 10, phase: 'together' }));
      expect(result.connectMs).toBeGreaterThanOrEqual(240);
      // The tenth poll was due 900 ms in and is answered only after ten answers of 250 ms.
      expect(result.max).toBeGreaterThanOrEqual(1500);
      expect(result.p50).toBeGreaterThan(250);
    } finally {
      server.close();
    }
  });

  it('follows what it is answered, as a provider does: the position of the feed and the ETag of the list', async () => {
    // A list at version 7 and a feed at position 7: a poller that starts behind (version 3, position 3)
    // gets one full answer of each, then only 304s and empty pages.
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const url = req.url ?? '';
      seen.push(`${url} ${req.headers['if-none-match'] ?? ''}`);
      if (url.startsWith('/changes')) {
        const after = Number(new URL(url, 'http://x').searchParams.get('after'));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ after, position: Math.max(after, 7), changes: [] }));
        return;
      }
      res.writeHead(req.headers['if-none-match'] === '"v7"' ? 304 : 200, { etag: '"v7"' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await poll(
        polling(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
          rate: 4,
          requests: [
            { path: '/changes?after=3&limit=10', headers: {}, follow: 'position' },
            { path: '/list', headers: { 'if-none-match': '"v3"' }, follow: 'etag' },
          ],
        }),
      );
      expect(seen).toEqual([
        '/changes?after=3&limit=10 ',
        '/list "v3"',
        '/changes?after=7&limit=10 ',
        '/list "v7"',
        '/changes?after=7&limit=10 ',
      ]);
      // The feed answers 200 with an empty page when nothing is new; the list a 304.
      expect(result.answers).toBe('4×200, 1×304');
    } finally {
      server.close();
    }
  });

  it('names the answers that are neither 200 nor 304, and transport errors', async () => {
    const { base, server } = await serverAnswering((req) => (req.url === '/gone' ? 503 : 200));
    try {
      const result = await poll(
        polling(base, {
          pollers: 2,
          rate: 4,
          requests: [
            { path: '/gone', headers: {} },
            { path: '/ok', headers: {} },
          ],
        }),
      );
      // Four of the eight timed polls, and the first poller's connecting request.
      expect(result.polls).toBe(8);
      expect(result.failures).toBe('5×503');
    } finally {
      server.close();
    }
    const closed = await poll(polling(base));
    expect(closed.failures).toBe('3×ECONNREFUSED');
  });
});
