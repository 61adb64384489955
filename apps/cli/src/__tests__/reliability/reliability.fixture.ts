import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../cli-process.fixture';

/**
 * The reliability suite runs in two sizes: the quick profile `npm test` runs (a few kill points, a few
 * hundred racing commands, each test well under a minute) and the full one `npm run test:reliability`
 * runs with SANKSI_RELIABILITY_FULL=1 (docs/reliability.md reports its figures).
 */
export const FULL = process.env['SANKSI_RELIABILITY_FULL'] === '1';

/** Picks the quick or the full figure. */
export function sized(quick: number, full: number): number {
  return FULL ? full : quick;
}

/** The seed of this run: SANKSI_RELIABILITY_SEED replays a failing run, otherwise a fresh one. */
export function runSeed(): number {
  const given = process.env['SANKSI_RELIABILITY_SEED'];
  return given ? Number(given) : Date.now() % 2_147_483_647;
}

/** mulberry32: a small seeded generator, so a failing kill schedule can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Records a test's figures for the runner's table (tools/test-reliability.mjs reads every JSON file of
 * SANKSI_RELIABILITY_FIGURES); always printed too, so a plain jest run shows them.
 */
export function recordFigures(test: string, figures: Record<string, number | string>): void {
  process.stdout.write(`reliability figures ${test}: ${JSON.stringify(figures)}\n`);
  const dir = process.env['SANKSI_RELIABILITY_FIGURES'];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${test.replace(/[^a-z0-9-]+/gi, '-')}.json`),
    JSON.stringify({ test, profile: FULL ? 'full' : 'quick', ...figures }),
  );
}

/** Waits until `check` returns a value (not undefined), polling; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A child process with its output kept (for failure messages) and a promise of its exit. */
export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `node <args>` with the given environment on top of PATH only (no stray SANKSI_* settings). */
export function spawnNode(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', SANKSI_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // Keep the tail only: a long run's logs must not grow without bound.
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** A `sanksi serve` process that answers on its port. */
export interface Served extends Spawned {
  base: string;
  keys: { operator: string; analyst: string; admin: string; service: string };
  stop(): Promise<void>;
}

/** Fixed keys, so every serve process of a test accepts the same ones. */
export const API_KEYS = {
  operator: 'operator-key-reliability-0001',
  analyst: 'analyst-key-reliability-00001',
  service: 'service-key-reliability-00001',
  admin: 'admin-key-reliability-0000001',
};

/** Starts `sanksi serve` on `port` with `env` and waits for /health/live. */
export async function startServe(port: number, env: Record<string, string>): Promise<Served> {
  const spawned = spawnNode([CLI, 'serve', '--port', String(port)], {
    SANKSI_API_KEYS: Object.entries(API_KEYS)
      .map(([role, key]) => `${role}:${key}`)
      .join(','),
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  let exit: { code: number | null } | null = null;
  void spawned.exited.then((e) => (exit = e));
  await waitFor(
    `sanksi serve on ${base}`,
    async () => {
      if (exit) throw new Error(`serve exited (${String(exit.code)}): ${spawned.output()}`);
      return (await fetch(`${base}/health/live`)).status === 200 ? true : undefined;
    },
    60_000,
  ).catch((e: unknown) => {
    spawned.child.kill('SIGKILL');
    throw e;
  });
  return {
    ...spawned,
    base,
    keys: API_KEYS,
    async stop() {
      if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill('SIGTERM');
      await spawned.exited;
    },
  };
}

/** A port derived from the jest worker's pid and an offset, away from other suites' choices. */
export function portFor(offset: number): number {
  return 21_000 + ((process.pid * 7 + offset) % 8_000);
}
