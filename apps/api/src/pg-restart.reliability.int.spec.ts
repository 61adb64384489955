import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { recordReliabilityFigures, startPrivatePostgres, type PrivatePostgres } from '@sanksi/testing';
import { startApiHarness, TEST_KEYS, type ApiHarness } from './testing/api-harness';

/**
 * Issue 11, reliability: PostgreSQL stopped and started again during a command load over HTTP.
 * Every answer is an acceptance (201, or 200 for a replay) or a 503 with Retry-After — never a 500;
 * each command is resent with its Idempotency-Key until accepted; afterwards every stream is gap-free,
 * no event is duplicated, each command is applied exactly once and the store holds exactly the
 * events the accepted answers report. A private cluster: the shared server on 5432 is not touched.
 * Default size for `npm test`; SANKSI_RELIABILITY_FULL=1 for a longer load and a longer outage.
 */
const FULL = process.env['SANKSI_RELIABILITY_FULL'] === '1';
const CASES = FULL ? 200 : 12;
// The warning ladder (teguran tertulis) is what a case may repeat without waiting for a deadline.
const WARNINGS_PER_CASE = 2;
const OUTAGE_MS = FULL ? 5_000 : 1_500;

jest.setTimeout(FULL ? 600_000 : 120_000);

interface Sent {
  key: string;
  pseId: string;
  statuses: number[];
  accepted: {
    status: number;
    body: { version: number; events: Array<{ eventId: string; type: string }> };
  };
}

describe('PostgreSQL restarted during a command load over HTTP (private cluster)', () => {
  let pg: PrivatePostgres;
  let h: ApiHarness;
  let base: string;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    h = await startApiHarness(
      {
        SANKSI_EVENT_STORE: 'postgres',
        DATABASE_URL: pg.url(),
        SANKSI_DEFAULT_POLICY: 'pp43-2023',
        SANKSI_PG_CONNECT_TIMEOUT_MS: '1000',
      },
      { now: '2024-03-01T02:00:00Z' },
    );
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h?.close();
    await pg?.destroy();
  });

  it('then every answer is an acceptance or a 503 with Retry-After, and every command is applied exactly once', async () => {
    const unexpected: string[] = [];
    let retryAfterMissing = 0;
    let accepted = 0;
    const sent: Sent[] = [];

    /** Sends one command until it is accepted, with the same Idempotency-Key each time. */
    const command = async (
      pseId: string,
      key: string,
      path: string,
      body: object,
    ): Promise<Sent['accepted']> => {
      const record: Sent = { key, pseId, statuses: [], accepted: undefined as unknown as Sent['accepted'] };
      sent.push(record);
      for (;;) {
        let status: number;
        let text: string;
        let retryAfter: string | null;
        try {
          const res = await fetch(`${base}${path}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${TEST_KEYS.operator}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify(body),
          });
          status = res.status;
          retryAfter = res.headers.get('retry-after');
          text = await res.text();
        } catch (e) {
          unexpected.push(`${key}: no answer (${(e as Error).message})`);
          throw e;
        }
        record.statuses.push(status);
        if (status === 201 || status === 200) {
          record.accepted = { status, body: JSON.parse(text) };
          accepted += 1;
          return record.accepted;
        }
        if (status !== 503) {
          unexpected.push(`${key}: ${status} ${text}`);
          throw new Error(`unexpected ${status} for ${key}: ${text}`);
        }
        if (!retryAfter || !(Number(retryAfter) > 0)) retryAfterMissing += 1;
        // Retry-After says 2 s; the test retries sooner to keep the outage busy with requests.
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const runCase = async (n: number): Promise<void> => {
      const pseId = `restart-${n}`;
      await command(pseId, `${pseId}-open`, '/v1/cases', {
        pseId,
        name: `Restart ${n}`,
        origin: 'domestic',
        domains: [`restart-${n}.example.id`],
        policy: 'pp43-2023',
      });
      for (let w = 1; w <= WARNINGS_PER_CASE; w++) {
        await command(pseId, `${pseId}-warn-${w}`, `/v1/cases/${pseId}/warnings`, {
          letterNumber: `W-${n}-${w}`,
        });
      }
    };

    const total = CASES * (1 + WARNINGS_PER_CASE);
    const load = Promise.all(Array.from({ length: CASES }, (_, n) => runCase(n)));
    let failed = false;
    load.catch(() => (failed = true));
    // The outage: mid-load, the server stops (open transactions rolled back, connections dropped),
    // stays down, and comes back.
    while (accepted < total / 3 && !failed) await new Promise((r) => setTimeout(r, 10));
    await pg.stop('fast');
    const down = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await pg.start();
    const outageMs = Date.now() - down;
    await load;

    expect(unexpected).toEqual([]);
    expect(retryAfterMissing).toBe(0);
    const statuses = sent.flatMap((s) => s.statuses);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0); // the outage was seen
    expect(statuses.every((s) => s === 201 || s === 200 || s === 503)).toBe(true);
    expect(sent).toHaveLength(total);

    const db = new Client({ connectionString: pg.url() });
    await db.connect();
    try {
      const rows = (
        await db.query<{ stream_id: string; revision: number; event_id: string; command_id: string }>(
          `SELECT stream_id, revision::int AS revision, event_id, metadata->>'commandId' AS command_id
             FROM event_store.events ORDER BY position`,
        )
      ).rows;
      // Gap-free streams, revisions 0..n-1 in order.
      const byStream = new Map<string, number[]>();
      for (const r of rows) byStream.set(r.stream_id, [...(byStream.get(r.stream_id) ?? []), r.revision]);
      expect(byStream.size).toBe(CASES);
      for (const revisions of byStream.values()) expect(revisions).toEqual(revisions.map((_, i) => i));
      // No event twice.
      expect(new Set(rows.map((r) => r.event_id)).size).toBe(rows.length);
      // Each command exactly once: its events are the ones its accepted answer reports, and no other.
      const storedIds = rows.map((r) => r.event_id).sort();
      const answeredIds = sent.flatMap((s) => s.accepted.body.events.map((e) => e.eventId)).sort();
      expect(answeredIds).toEqual(storedIds);
      const perCommand = new Map<string, number>();
      for (const r of rows) perCommand.set(r.command_id, (perCommand.get(r.command_id) ?? 0) + 1);
      for (const s of sent) {
        const recorded = [...perCommand.keys()].filter((id) => id.endsWith(`:${s.key}`));
        expect({ key: s.key, commandIds: recorded.length }).toEqual({ key: s.key, commandIds: 1 });
      }
      // And the cases are where the commands put them.
      const versions = sent
        .filter((s) => s.key.endsWith(`-warn-${WARNINGS_PER_CASE}`))
        .map((s) => s.accepted.body.version);
      expect(versions).toEqual(Array(CASES).fill(1 + WARNINGS_PER_CASE));
      recordReliabilityFigures('postgres-restart', {
        cases: CASES,
        commands: total,
        requests: statuses.length,
        'answered 503 (Retry-After)': statuses.filter((s) => s === 503).length,
        'answered 5xx other than 503': 0,
        'outage ms': outageMs,
        'events checked': rows.length,
      });
    } finally {
      await db.end();
    }
  });
});
