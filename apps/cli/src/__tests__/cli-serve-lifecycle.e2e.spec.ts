import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { CLI, runCli, tempDir } from './cli-process.fixture';
import { freePort } from '@sanksi/testing';

jest.setTimeout(120_000);

const SHUTDOWN_TIMEOUT_MS = 8000;

interface Served {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  keys: Record<'operator' | 'analyst' | 'service', string>;
  base: string;
}

// Fixed keys: \`serve\` prints generated keys only on the start that makes the key file, and these tests
// start several servers on one data directory.
const KEYS = {
  operator: 'lifecycle-operator-key-0123456789abcdef',
  analyst: 'lifecycle-analyst-key-0123456789abcdef',
  service: 'lifecycle-service-key-0123456789abcdef',
} as const;

// Every process spawned here, registered before anything can fail, so afterAll can kill what is left.
const spawned: ChildProcess[] = [];

function spawnServe(dir: string, port: number, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], {
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      SANKSI_DATA_DIR: dir,
      SANKSI_LOG_LEVEL: 'warn',
      SANKSI_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      SANKSI_API_KEYS: Object.entries(KEYS)
        .map(([role, key]) => `${role}:${key}`)
        .join(','),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, output: () => out, exited };
}

async function serve(dir: string, port: number, env: Record<string, string> = {}): Promise<Served> {
  const s = spawnServe(dir, port, env);
  for (let i = 0; i < 300 && !s.output().includes('Sanksi is serving on'); i++) {
    if (s.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!s.output().includes('Sanksi is serving on')) throw new Error(`serve did not start: ${s.output()}`);
  return { ...s, keys: { ...KEYS }, base: `http://127.0.0.1:${port}` };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('sanksi serve: start, shutdown and background loops (built CLI, real processes)', () => {
  const { dir, cleanup } = tempDir('serve-lifecycle');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of [...children, ...spawned])
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    cleanup();
  });

  it('exits 0 on SIGTERM within the shutdown deadline while an SSE client is connected', async () => {
    const port = await freePort();
    const s = await serve(dir, port);
    children.push(s.child);
    let streamed = '';
    const streamEnded = new Promise<void>((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/events/stream',
          headers: { authorization: `Bearer ${s.keys.service}` },
        },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.on('data', (c: Buffer) => (streamed += c.toString()));
          res.on('close', () => resolve());
        },
      );
      req.on('error', (e) => (e.message.includes('socket hang up') ? resolve() : reject(e)));
    });
    for (let i = 0; i < 100 && !streamed.includes('sanksi event stream'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(streamed).toContain('sanksi event stream');

    const sent = Date.now();
    s.child.kill('SIGTERM');
    const { code, at } = await s.exited;
    await streamEnded;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(streamed).toContain('the server is shutting down');
  });

  it('a second serve on a taken port exits non-zero quickly, says why, and leaves no process', async () => {
    const port = await freePort();
    const first = await serve(dir, port);
    children.push(first.child);
    try {
      const started = Date.now();
      const second = spawnServe(dir, port);
      children.push(second.child);
      const { code } = await second.exited;
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(second.output()).toContain(`cannot listen on 127.0.0.1:${port}: the port is already in use`);
      expect(alive(second.child.pid as number)).toBe(false);
      // The first server is untouched and still ready.
      expect((await fetch(`${first.base}/health/ready`)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
    }
  });

  // The same in both projector modes: in a thread (decision 0012) the lease, the restart after the
  // rebuild's CheckpointConflict, /metrics, readiness and SIGTERM hold as in process.
  it.each(['in-process', 'thread'] as const)(
    'CLI reads beside a running server wait for its projector (%s) instead of fighting it; a rebuild restarts it',
    async (mode) => {
      const port = await freePort();
      const s = await serve(dir, port, { SANKSI_PROJECTOR_MODE: mode });
      children.push(s.child);
      const env = { SANKSI_DATA_DIR: dir };
      const metric = async (): Promise<number> => {
        const text = await (await fetch(`${s.base}/metrics`)).text();
        return Number(/sanksi_worker_restarts_total\{worker="projector"\} (\d+)/.exec(text)?.[1]);
      };
      try {
        for (let i = 0; i < 5; i++) {
          const opened = await fetch(`${s.base}/v1/cases`, {
            method: 'POST',
            headers: { authorization: `Bearer ${s.keys.operator}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              pseId: `${mode}-beside-${i}`,
              name: `Beside ${i}`,
              origin: 'domestic',
              domains: [`${mode}-beside-${i}.id`],
            }),
          });
          expect(opened.status).toBe(201);
          // Read commands right after each write: before, each ran the projector itself and the
          // server's projector died of the CheckpointConflict.
          const listed = runCli(['cases', 'list', '--json'], env);
          expect(listed.code).toBe(0);
          expect(listed.stdout).toContain(`${mode}-beside-${i}`);
          expect(runCli(['blocklist', 'export', '--format', 'json'], env).code).toBe(0);
        }
        expect(await metric()).toBe(0);
        expect((await fetch(`${s.base}/health/ready`)).status).toBe(200);

        // A rebuild from the CLI resets the checkpoint under the server: its projector restarts and
        // replays, and the command waits for it.
        const rebuilt = runCli(['projections', 'rebuild', '--json'], env);
        expect(rebuilt.code).toBe(0);
        expect(JSON.parse(rebuilt.stdout)).toMatchObject({ projectedBy: 'running-projector' });
        for (let i = 0; i < 100 && (await metric()) < 1; i++) await new Promise((r) => setTimeout(r, 100));
        expect(await metric()).toBeGreaterThanOrEqual(1);
        let ready = await fetch(`${s.base}/health/ready`);
        for (let i = 0; i < 50 && ready.status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 100));
          ready = await fetch(`${s.base}/health/ready`);
        }
        expect(ready.status).toBe(200);
        const listed = runCli(['cases', 'list', '--json'], env);
        expect(listed.stdout).toContain(`${mode}-beside-4`);
      } finally {
        s.child.kill('SIGTERM');
        expect((await s.exited).code).toBe(0);
      }
    },
  );
});

// Guard against a stale build: the fixture runs dist/main.js.
beforeAll(() => {
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  if (help.status !== 0) throw new Error(`the built CLI does not run: ${help.stderr}`);
});
