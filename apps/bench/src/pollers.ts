// The feed's pollers (issue 10, goal 5): many clients, each on its own kept-alive connection, each asking
// at a fixed rate — what internet providers do with `/v1/blocklist/changes` and the list's ETag.
//
// autocannon's fixed rate starts every connection at the same instant, so its 1,000 pollers at 1 a second
// send 1,000 requests together at the top of every second and wait for the slowest, all in one client
// thread: that measures a synchronised burst and the client, not a population of providers. This driver
// gives each poller its own phase within the period (random, or `together` for the burst), spreads the
// pollers over worker threads, and takes each latency from the instant the poll was due — a poll that
// starts late because the previous one was slow is charged for the wait (coordinated omission corrected).
//
// Providers keep their connections: every poller first connects and asks once (timed apart, as the
// connect round), and the measured periods start when all are connected. A server busy with commands
// takes new connections slowly — libuv accepts one connection per event-loop iteration (libuv#3696, in
// Node since 20) — so a thousand connecting at once while commands run wait seconds for their turn;
// that is a reconnection storm, reported on its own, not the steady polling the goal is about.
import { Agent, request } from 'node:http';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface PollRequest {
  path: string;
  headers: Record<string, string>;
  /**
   * What a provider keeps from a full (200) answer for its next poll of this request, as a real one does:
   * the answer's ETag, sent back as `If-None-Match`, or the change feed's `position`, the next `after`.
   * Without it every poll asks the same thing, however the list has moved on since.
   */
  follow?: 'etag' | 'position';
}

export interface PollOptions {
  /** `http://host:port` */
  base: string;
  pollers: number;
  /** Polls a second per poller. */
  rate: number;
  seconds: number;
  /** Each poller asks these in turn. */
  requests: readonly PollRequest[];
  /** `random`: each poller at its own offset within the period; `together`: all at its start. */
  phase: 'random' | 'together';
  /** Client threads; 0: this thread (beside whatever else it runs). */
  threads: number;
}

export interface PollResult {
  /** The connect round: every poller's first request, all sent at once; the slowest answer's time. */
  connectMs: number;
  polls: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Answers other than 200/304 and transport errors, as `count×status`; `none` when all were answered. */
  failures: string;
  /** Every answer by status, the connect round's included, as `count×status`, most frequent first. */
  answers: string;
}

interface ThreadJob {
  base: string;
  pollers: number;
  rate: number;
  requests: readonly PollRequest[];
  phase: 'random' | 'together';
  seconds: number;
}

/** From the main thread once every thread has connected: epoch ms (timeOrigin + now) of the first period. */
interface Go {
  startAt: number;
}

interface ThreadResult {
  latencies: number[];
  statuses: Record<string, number>;
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Answer {
  /** The status code, or the transport error's code. */
  status: string;
  etag?: string;
  /** A followed change feed's `position`. */
  position?: number;
}

function get(agent: Agent, base: URL, poll: PollRequest): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      { agent, host: base.hostname, port: base.port, path: poll.path, headers: poll.headers },
      (res) => {
        const status = String(res.statusCode);
        const etag = res.headers.etag;
        res.on('error', (e) => resolve({ status: e.message }));
        if (poll.follow !== 'position' || res.statusCode !== 200) {
          res.resume();
          res.on('end', () => resolve({ status, etag }));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            const { position } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { position?: unknown };
            resolve({ status, position: typeof position === 'number' ? position : undefined });
          } catch {
            resolve({ status: 'unreadable feed page' });
          }
        });
      },
    );
    req.on('error', (e) => resolve({ status: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

/** The poller's copy of `poll` for its next ask, moved on by a full answer where it follows one. */
function followed(poll: PollRequest, answer: Answer): PollRequest {
  if (answer.status !== '200') return poll;
  if (poll.follow === 'etag' && answer.etag !== undefined)
    return { ...poll, headers: { ...poll.headers, 'if-none-match': answer.etag } };
  if (poll.follow === 'position' && answer.position !== undefined) {
    const url = new URL(poll.path, 'http://poller');
    url.searchParams.set('after', String(answer.position));
    return { ...poll, path: `${url.pathname}${url.search}` };
  }
  return poll;
}

async function pollInThisThread(
  job: ThreadJob,
  go: (connected: number) => Promise<Go>,
): Promise<ThreadResult> {
  const base = new URL(job.base);
  const period = 1000 / job.rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const count = (status: string) => (statuses[status] = (statuses[status] ?? 0) + 1);
  const agents = Array.from({ length: job.pollers }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  // Each poller's own copy of the requests, moved on by the answers it gets.
  const asks = agents.map(() => [...job.requests]);
  const ask = async (agent: Agent, index: number, r: number): Promise<string> => {
    const mine = asks[index] as PollRequest[];
    const answer = await get(agent, base, mine[r] as PollRequest);
    mine[r] = followed(mine[r] as PollRequest, answer);
    return answer.status;
  };
  const connectStarted = now();
  await Promise.all(agents.map(async (agent, i) => count(await ask(agent, i, i % job.requests.length))));
  const { startAt } = await go(now() - connectStarted);
  const endAt = startAt + job.seconds * 1000;
  const poller = async (agent: Agent, index: number): Promise<void> => {
    const offset = job.phase === 'random' ? Math.random() * period : 0;
    for (let k = 0; ; k++) {
      const due = startAt + offset + k * period;
      if (due >= endAt) return;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      // Timed from when the poll was due (a late start is charged to it), or from when it was sent if a
      // timer fired a little early.
      const from = Math.min(due, now());
      const status = await ask(agent, index, (index + k + 1) % job.requests.length);
      latencies.push(now() - from);
      count(status);
    }
  };
  await Promise.all(agents.map(poller));
  for (const agent of agents) agent.destroy();
  return { latencies, statuses };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number);
}

/** Connects the pollers, runs them for `seconds`, and gives the latencies of every poll from when it was due. */
export async function poll(options: PollOptions): Promise<PollResult> {
  const threads = Math.max(1, Math.min(options.threads, options.pollers));
  const jobs = Array.from(
    { length: threads },
    (_, t): ThreadJob => ({
      base: options.base,
      pollers: Math.floor(options.pollers / threads) + (t < options.pollers % threads ? 1 : 0),
      rate: options.rate,
      requests: options.requests,
      phase: options.phase,
      seconds: options.seconds,
    }),
  );
  if (options.threads === 0) {
    let connectedMs = 0;
    const result = await pollInThisThread(jobs[0] as ThreadJob, async (ms) => {
      connectedMs = ms;
      return { startAt: now() + 100 };
    });
    return summary(options, [connectedMs], [result]);
  }
  const workers = jobs.map((job) => new Worker(__filename, { workerData: job }));
  const message = <T>(worker: Worker) =>
    new Promise<T>((resolve, reject) => {
      const fail = (e: unknown) =>
        reject(e instanceof Error ? e : new Error(`poller thread exited with ${String(e)}`));
      worker.once('error', fail);
      worker.once('exit', fail);
      worker.once('message', (m: T) => {
        worker.off('error', fail);
        worker.off('exit', fail);
        resolve(m);
      });
    });
  try {
    const connected = await Promise.all(workers.map((w) => message<{ connectedMs: number }>(w)));
    const finished = workers.map((w) => message<ThreadResult>(w));
    const go: Go = { startAt: now() + 100 };
    for (const w of workers) w.postMessage(go);
    const results = await Promise.all(finished);
    return summary(
      options,
      connected.map((c) => c.connectedMs),
      results,
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function summary(
  options: PollOptions,
  connectedMs: readonly number[],
  results: readonly ThreadResult[],
): PollResult {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const r of results)
    for (const [status, n] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const failures = Object.entries(statuses)
    .filter(([status]) => status !== '200' && status !== '304')
    .map(([status, n]) => `${n}×${status}`);
  const answers = Object.entries(statuses)
    .sort(([, a], [, b]) => b - a)
    .map(([status, n]) => `${n.toLocaleString('en')}×${status}`);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    connectMs: Math.round(Math.max(...connectedMs)),
    polls: latencies.length,
    perSecond: latencies.length / options.seconds,
    p50: round(percentile(latencies, 0.5)),
    p99: round(percentile(latencies, 0.99)),
    max: round(latencies[latencies.length - 1] ?? NaN),
    failures: failures.join(', ') || 'none',
    answers: answers.join(', ') || 'none',
  };
}

if (!isMainThread && parentPort && (workerData as ThreadJob | undefined)?.requests) {
  const port = parentPort;
  void pollInThisThread(workerData as ThreadJob, (connectedMs) => {
    const go = new Promise<Go>((resolve) => port.once('message', resolve));
    port.postMessage({ connectedMs });
    return go;
  }).then((result) => port.postMessage(result));
}
