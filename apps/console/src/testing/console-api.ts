// The real API for the console's browser tests: the api app on a fresh embedded data directory
// (SQLite files), a manual clock, listening on a free port and serving the built console at /console.
// `enterThe2022Story` brings it to 1 August 2022 the way the API's own 2022-story e2e test does.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp, ApiKeyRegistry, type Role } from '@sanksi/api';
import {
  createRuntime,
  DeadlineScheduler,
  loadConfig,
  ManualClock,
  type SanksiRuntime,
} from '@sanksi/application';
import pino from 'pino';
import { CONSOLE_TEST_DIST_VAR } from './console-build';

/** One key per role for the browser tests. */
export const CONSOLE_TEST_KEYS: Record<Role, string> = {
  operator: 'console-operator-key-0001',
  analyst: 'console-analyst-key-00001',
  service: 'console-service-key-00001',
  admin: 'console-admin-key-0000001',
};

/**
 * The console build the browser tests serve: the run's own (SANKSI_CONSOLE_TEST_DIST, built by the jest
 * globalSetup into tmp/console-build/), or apps/console/dist when a spec is run without it. Never a dev server.
 */
export const CONSOLE_DIST = process.env[CONSOLE_TEST_DIST_VAR] ?? path.resolve(__dirname, '../../dist');

/** A running API with the console, and the handles a test needs to move its world along. */
export interface ConsoleApi {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  app: NestFastifyApplication;
  runtime: SanksiRuntime;
  clock: ManualClock;
  /** Projects everything appended so far into the read models (search, counts, queue, traffic). */
  project(): Promise<void>;
  /** Sends a request as a role, in-process (seeding; the browser goes over the network). */
  post(url: string, body: object, role?: Role): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Starts the API with the built console on a free port of 127.0.0.1. */
export async function startConsoleApi(
  options: { now?: string; consoleDir?: string } = {},
): Promise<ConsoleApi> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-console-'));
  const config = loadConfig({
    SANKSI_DATA_DIR: dir,
    SANKSI_LOG_LEVEL: 'silent',
    SANKSI_DEFAULT_POLICY: 'kominfo-2022',
  });
  const clock = new ManualClock(options.now ?? '2022-07-18T00:00:00Z');
  let seq = 0;
  const runtime = await createRuntime(config, {
    clock,
    ids: { next: () => `cmd-${String(++seq).padStart(6, '0')}` },
    logger: pino({ level: 'silent' }),
  });
  const keys = new ApiKeyRegistry(
    Object.entries(CONSOLE_TEST_KEYS).map(([role, key]) => ({ role: role as Role, key })),
  );
  const app = await createApiApp({ runtime, keys, consoleDir: options.consoleDir ?? CONSOLE_DIST });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    runtime,
    clock,
    project: async () => {
      await runtime.projector.runOnce();
      await runtime.trafficProjector.runOnce();
    },
    post: async (url, body, role = 'operator') => {
      const res = await app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { authorization: `Bearer ${CONSOLE_TEST_KEYS[role]}` },
      });
      return { status: res.statusCode, body: res.json() as unknown };
    },
    async close() {
      await app.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const wib = (local: string) => `${local}:00+07:00`;

/** Fails a seeding step loudly: the story must come out as the API's own e2e test tells it. */
class StoryStepFailed extends Error {
  readonly code = 'STORY_STEP_FAILED';
  constructor(step: string, status: number, body: unknown) {
    super(`the 2022 story could not be entered at "${step}": ${status} ${JSON.stringify(body)}`);
    this.name = 'StoryStepFailed';
  }
}

/**
 * The 2022 story (kominfo-2022) up to 1 August 2022 10:00 WIB: PayPal, Steam and Xandr identified on
 * 18 July, warned on 23 July, blocked when their warnings lapsed on 29 July 23:59:59 WIB, PayPal's
 * access restored temporarily from 31 July 08:00 until 5 August 23:59, Xandr exempted on 31 July.
 */
export async function enterThe2022Story(api: ConsoleApi): Promise<void> {
  const step = async (label: string, url: string, body: object) => {
    const res = await api.post(url, body);
    if (res.status !== 201) throw new StoryStepFailed(label, res.status, res.body);
  };
  api.clock.set('2022-07-18T02:00:00Z');
  for (const [pseId, name, domains] of [
    ['paypal', 'PayPal', ['paypal.com', 'www.paypal.com']],
    ['steam', 'Steam', ['steampowered.com', 'store.steampowered.com']],
    ['xandr', 'Xandr', ['xandr.com']],
  ] as const) {
    await step(`open ${pseId}`, '/v1/cases', {
      pseId,
      name,
      origin: 'foreign',
      domains,
      occurredAt: wib('2022-07-18T09:00'),
    });
  }
  api.clock.set('2022-07-23T03:00:00Z');
  for (const pseId of ['paypal', 'steam', 'xandr']) {
    await step(`warn ${pseId}`, `/v1/cases/${pseId}/warnings`, {
      letterNumber: `B-${pseId}/KOMINFO/2022`,
      occurredAt: wib('2022-07-23T10:00'),
    });
  }
  // The scheduler elapses the warnings at their due instant; kominfo-2022 blocks automatically.
  api.clock.set('2022-07-30T00:00:00Z');
  await new DeadlineScheduler(api.runtime).tick({ project: true });
  api.clock.set('2022-07-31T01:00:00Z');
  await step('restore paypal temporarily', '/v1/cases/paypal/temporary-restorations', {
    until: wib('2022-08-05T23:59'),
    reason: 'users withdraw their funds',
    occurredAt: wib('2022-07-31T08:00'),
  });
  api.clock.set('2022-07-31T09:00:00Z');
  await step('exempt xandr', '/v1/cases/xandr/exemptions', {
    reason: 'not obliged to register',
    occurredAt: wib('2022-07-31T15:00'),
  });
  api.clock.set('2022-08-01T03:00:00Z');
  await api.project();
}
