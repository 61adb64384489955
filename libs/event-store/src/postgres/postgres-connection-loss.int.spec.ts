import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Client } from 'pg';
import {
  createTemporaryPostgresDatabase,
  startPrivatePostgres,
  startTcpProxy,
  type PrivatePostgres,
  type TcpProxy,
  type TemporaryPostgresDatabase,
} from '@sanksi/testing';
import {
  AppendOutcomeUnknown,
  EventStoreStorageFull,
  EventStoreUnavailable,
} from '../core/event-store.errors';
import type { EventStoreLogger } from '../core/event-store.port';
import { testEvent } from '../testing/event-store.contract';
import { PostgresEventStore } from './postgres-event-store';
import { advisoryLockKey } from './postgres-migrations';

jest.setTimeout(60_000);

const failureOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => new Error('expected the operation to fail'),
    (error: unknown) => error,
  );

/** The URL with its host and port replaced (to go through a proxy). */
function via(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

/** A migrated store whose connections go through a TCP proxy the test can trap or cut. */
async function storeThroughProxy(
  url: string,
  options: { schema: string; poolSize?: number },
): Promise<{ proxy: TcpProxy; store: PostgresEventStore }> {
  const proxy = await startTcpProxy({ port: Number(new URL(url).port || 5432) });
  const store = new PostgresEventStore({ connectionString: via(url, proxy.port), ...options });
  await store.whenReady();
  return { proxy, store };
}

describe('PostgresEventStore when the connection fails', () => {
  let database: TemporaryPostgresDatabase;
  beforeAll(async () => {
    database = await createTemporaryPostgresDatabase('sanksi_es_loss');
  });
  afterAll(async () => {
    await database.drop();
  });

  describe('given the reply to a committed append is lost (a proxy swallows it, then cuts the connection)', () => {
    let proxy: TcpProxy;
    let store: PostgresEventStore;
    beforeAll(async () => {
      ({ proxy, store } = await storeThroughProxy(database.url, { schema: 'lost_reply' }));
    });
    afterAll(async () => {
      await store.close();
      await proxy.close();
    });

    it('then the append is reported as of unknown outcome, and appending it again with the same commandId answers duplicate with the committed result', async () => {
      const streamId = `pse-${randomUUID()}`;
      // The append's prepared statement is named after the schema: the trap springs on it alone.
      const trap = proxy.trap('lost_reply-append', 'reply');
      const appending = failureOf(
        store.appendToStream(streamId, [testEvent('First'), testEvent('Second')], {
          expectedRevision: 'no_stream',
          commandId: 'cmd-lost-reply',
        }),
      );
      await trap.sprung;
      // The server commits; its answer never reaches the store.
      const admin = new Client({ connectionString: database.url });
      await admin.connect();
      let committed: number[] = [];
      try {
        while (committed.length < 2) {
          const rows = await admin.query<{ position: string }>(
            'SELECT position FROM lost_reply.events WHERE stream_id = $1 ORDER BY position',
            [streamId],
          );
          committed = rows.rows.map((r) => Number(r.position));
        }
      } finally {
        await admin.end();
      }
      proxy.cutAll();

      const error = await appending;
      expect(error).toBeInstanceOf(AppendOutcomeUnknown);
      expect(error).toMatchObject({ code: 'APPEND_OUTCOME_UNKNOWN', streamId, adapter: 'postgres' });
      expect(error).not.toBeInstanceOf(EventStoreUnavailable);

      const again = await store.appendToStream(streamId, [testEvent('First'), testEvent('Second')], {
        expectedRevision: 'no_stream',
        commandId: 'cmd-lost-reply',
      });
      expect(again).toEqual({ nextExpectedRevision: 1, position: committed[1], duplicate: true });
      const stored = await store.readStream(streamId);
      expect(stored.map((e) => [e.type, e.revision, e.position])).toEqual([
        ['First', 0, committed[0]],
        ['Second', 1, committed[1]],
      ]);
    });
  });

  describe('given every connection is cut at once (a proxy between the store and the server)', () => {
    let proxy: TcpProxy;
    let store: PostgresEventStore;
    beforeAll(async () => {
      ({ proxy, store } = await storeThroughProxy(database.url, { schema: 'cut_all', poolSize: 3 }));
    });
    afterAll(async () => {
      await store.close();
      await proxy.close();
    });

    it('then a read the appends’ failure leads to, on a pooled connection not yet known to be dead, is run again on a new one', async () => {
      const streamId = `pse-${randomUUID()}`;
      // idle pooled connections (opened first), and the appends' own
      await Promise.all([store.readStream(streamId), store.readStream(streamId), store.readStream(streamId)]);
      await store.appendToStream(streamId, [testEvent('First')], { expectedRevision: 'no_stream' });
      const trap = proxy.trap('cut_all-appendOne', 'request');
      // What a command path does on an outcome unknown: read the case again at once, in the same turn as
      // the news of the appends' connection — before the pool has heard that its idle one died too.
      const reread = store.appendToStream(streamId, [testEvent('Second')], { expectedRevision: 0 }).then(
        () => {
          throw new Error('expected the cut append to fail');
        },
        (error: unknown) => {
          expect(error).toBeInstanceOf(AppendOutcomeUnknown);
          return store.readStream(streamId);
        },
      );
      await trap.sprung;
      proxy.cutAll();
      expect((await reread).map((e) => e.type)).toEqual(['First']);
      expect(
        (await store.appendToStream(streamId, [testEvent('Second')], { expectedRevision: 0 })).duplicate,
      ).toBe(false);
    });
  });

  describe('given the server is stopped (a private cluster)', () => {
    let pg: PrivatePostgres;
    beforeAll(async () => {
      pg = await startPrivatePostgres();
    });
    afterAll(async () => {
      await pg.destroy();
    });

    it('then idle pooled connections dropped by the server are logged without the password and do not crash, reads and appends fail as unavailable (nothing written), and all work again once it is back', async () => {
      const warnings: Array<{ obj: unknown; msg: string }> = [];
      const logger: EventStoreLogger = {
        debug: () => undefined,
        warn: (obj, msg) => warnings.push({ obj, msg: String(msg) }),
        error: (obj, msg) => warnings.push({ obj, msg: String(msg) }),
      };
      const url = new URL(pg.url());
      url.password = 'hunter2-secret'; // trust auth ignores it; it must never be logged
      const store = new PostgresEventStore({ connectionString: url.toString(), poolSize: 3, logger });
      try {
        const streamId = `pse-${randomUUID()}`;
        // Three idle pooled connections when the server goes away.
        await Promise.all([1, 2, 3].map(() => store.readStream(streamId)));
        await pg.stop();

        const append = await failureOf(
          store.appendToStream(streamId, [testEvent('WhileDown')], {
            expectedRevision: 'no_stream',
            commandId: 'cmd-while-down',
          }),
        );
        expect(append).toBeInstanceOf(EventStoreUnavailable);
        expect(await failureOf(store.readStream(streamId))).toBeInstanceOf(EventStoreUnavailable);
        expect(warnings.some((w) => w.msg === 'idle postgres connection lost')).toBe(true);
        expect(JSON.stringify(warnings)).not.toContain('hunter2-secret');

        await pg.start();
        expect(await store.readStream(streamId)).toEqual([]);
        const written = await store.appendToStream(streamId, [testEvent('AfterRestart')], {
          expectedRevision: 'no_stream',
          commandId: 'cmd-while-down',
        });
        expect(written).toMatchObject({ nextExpectedRevision: 0, duplicate: false });
      } finally {
        await store.close();
      }
    });

    it('then a store created while the server is down fails as unavailable and migrates once it is back', async () => {
      await pg.stop();
      const store = new PostgresEventStore({ connectionString: pg.url(), schema: 'late_start' });
      try {
        expect(await failureOf(store.headPosition())).toBeInstanceOf(EventStoreUnavailable);
        await pg.start();
        expect(await store.headPosition()).toBe(0);
      } finally {
        await store.close();
      }
    });
  });

  describe('given the disk under the database is full', () => {
    it('then an append fails as storage full (no neighbour in its batch is retried alone), wrote nothing, and appends work again once space is back', async () => {
      // The server raises the real SQLSTATE 53100 from a trigger on the events table: the same error, on
      // the same path, as a data file that cannot grow.
      const store = new PostgresEventStore({ connectionString: database.url, schema: 'disk_full' });
      const admin = new Client({ connectionString: database.url });
      await admin.connect();
      try {
        await store.whenReady();
        await admin.query(`CREATE FUNCTION disk_full.no_space() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$`);
        await admin.query(
          'CREATE TRIGGER no_space BEFORE INSERT ON disk_full.events FOR EACH ROW EXECUTE FUNCTION disk_full.no_space()',
        );
        const failures = await Promise.all(
          ['pse-full-1', 'pse-full-2'].map((streamId) =>
            failureOf(
              store.appendToStream(streamId, [testEvent('Opened')], { expectedRevision: 'no_stream' }),
            ),
          ),
        );
        for (const error of failures) {
          expect(error).toBeInstanceOf(EventStoreStorageFull);
          expect((error as Error).message).toMatch(
            /out of disk space during appendToStream: nothing was written/,
          );
        }
        expect(await store.streamExists('pse-full-1')).toBe(false);
        expect(await store.streamExists('pse-full-2')).toBe(false);

        await admin.query('DROP TRIGGER no_space ON disk_full.events');
        await store.appendToStream('pse-full-1', [testEvent('Opened')], { expectedRevision: 'no_stream' });
        expect(await store.readStream('pse-full-1')).toHaveLength(1);
      } finally {
        await admin.end();
        await store.close();
      }
    });
  });

  describe('timeouts', () => {
    it('given statementMs, when an append waits on the append lock longer, then it is cancelled as unavailable and wrote nothing', async () => {
      const store = new PostgresEventStore({
        connectionString: database.url,
        schema: 'stmt_timeout',
        timeouts: { statementMs: 300 },
      });
      const admin = new Client({ connectionString: database.url });
      await admin.connect();
      try {
        await store.whenReady();
        await admin.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockKey('stmt_timeout', 'append')]);
        const started = Date.now();
        const error = await failureOf(
          store.appendToStream('pse-timeout', [testEvent('Slow')], { expectedRevision: 'no_stream' }),
        );
        expect(error).toBeInstanceOf(EventStoreUnavailable);
        expect((error as Error).message).toMatch(/statement timeout/);
        expect(Date.now() - started).toBeLessThan(5_000);
        await admin.query('SELECT pg_advisory_unlock($1::bigint)', [
          advisoryLockKey('stmt_timeout', 'append'),
        ]);
        expect(await store.streamExists('pse-timeout')).toBe(false);
        await store.appendToStream('pse-timeout', [testEvent('Fast')], { expectedRevision: 'no_stream' });
        expect(await store.readStream('pse-timeout')).toHaveLength(1);
      } finally {
        await admin.end();
        await store.close();
      }
    });

    it('given connectMs, when the server accepts TCP but never answers, then the operation fails as unavailable within about that time', async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
      const address = silent.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const store = new PostgresEventStore({
        connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
        timeouts: { connectMs: 300 },
      });
      try {
        const started = Date.now();
        expect(await failureOf(store.headPosition())).toBeInstanceOf(EventStoreUnavailable);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        await store.close();
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });
});
