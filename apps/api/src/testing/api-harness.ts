import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRuntime, loadConfig, ManualClock, type SanksiRuntime } from '@sanksi/application';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTemporaryPostgresDatabase } from '@sanksi/testing';
import pino from 'pino';
import { createApiApp } from '../api-app';
import { ApiKeyRegistry, type Role } from '../auth/api-keys';

/** One key per role for tests. */
export const TEST_KEYS: Record<Role, string> = {
  operator: 'test-operator-key-0001',
  analyst: 'test-analyst-key-00001',
  service: 'test-service-key-00001',
  admin: 'test-admin-key-0000001',
};

/** A running API on real stores (SQLite files in a temp dir, or PostgreSQL), for e2e tests. */
export interface ApiHarness {
  app: NestFastifyApplication;
  runtime: SanksiRuntime;
  clock: ManualClock;
  /** Projects everything appended so far into the read models. */
  project(): Promise<void>;
  /** POSTs a command as the operator and expects 201 (a failure names the URL and the problem answered). */
  command(url: string, payload: object): Promise<void>;
  close(): Promise<void>;
}

/** Starts the API over a fresh embedded data directory (or the given env) with a manual clock. */
export async function startApiHarness(
  env: Record<string, string> = {},
  options: { now?: string; consoleDir?: string } = {},
): Promise<ApiHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-api-'));
  const config = loadConfig({ SANKSI_DATA_DIR: dir, SANKSI_LOG_LEVEL: 'silent', ...env });
  const clock = new ManualClock(options.now ?? '2022-07-21T02:00:00Z');
  let seq = 0;
  const runtime = await createRuntime(config, {
    clock,
    ids: { next: () => `cmd-${String(++seq).padStart(6, '0')}` },
    logger: pino({ level: 'silent' }),
  });
  const keys = new ApiKeyRegistry(
    Object.entries(TEST_KEYS).map(([role, key]) => ({ role: role as Role, key })),
  );
  const app = await createApiApp({ runtime, keys, consoleDir: options.consoleDir });
  return {
    app,
    runtime,
    clock,
    project: async () => {
      await runtime.projector.runOnce();
    },
    async command(url, payload) {
      const res = await app.inject({
        method: 'POST',
        url,
        payload,
        headers: { authorization: `Bearer ${TEST_KEYS.operator}` },
      });
      expect({ url, status: res.statusCode, problem: res.statusCode === 201 ? null : res.json() }).toEqual({
        url,
        status: 201,
        problem: null,
      });
    },
    async close() {
      await app.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A store for a suite: the settings that select it, and what removes it afterwards. */
export type HarnessBackend = () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;

/**
 * The embedded default and PostgreSQL (a temporary database named after `database`, log and read models
 * in it), as `describe.each` rows: a suite runs the same on both.
 */
export function harnessBackends(database: string): Array<[string, HarnessBackend]> {
  return [
    ['SQLite', async () => ({ env: {}, cleanup: async () => undefined })],
    [
      'PostgreSQL',
      async () => {
        const db = await createTemporaryPostgresDatabase(database);
        return { env: { SANKSI_EVENT_STORE: 'postgres', DATABASE_URL: db.url }, cleanup: () => db.drop() };
      },
    ],
  ];
}
