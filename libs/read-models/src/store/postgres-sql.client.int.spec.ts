import { startPrivatePostgres, type PrivatePostgres } from '@sanksi/testing';
import { ReadModelStoreFailed } from '../read-model.errors';
import { PostgresSqlClient } from './postgres-sql.client';

jest.setTimeout(60_000);

const failureOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => new Error('expected the operation to fail'),
    (error: unknown) => error,
  );

describe('PostgresSqlClient under failure (a private cluster)', () => {
  let pg: PrivatePostgres;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
  });
  afterAll(async () => {
    await pg.destroy();
  });

  it('given timeouts, then every pooled session runs with them', async () => {
    const client = new PostgresSqlClient(pg.url(), 'rm_timeouts', 2, {
      timeouts: { statementMs: 1234, idleInTransactionMs: 5678 },
    });
    try {
      const rows = await client.snapshot((tx) =>
        tx.query(
          `SELECT current_setting('statement_timeout') AS statement,
                  current_setting('idle_in_transaction_session_timeout') AS idle_in_tx`,
        ),
      );
      expect(rows).toEqual([{ statement: '1234ms', idle_in_tx: '5678ms' }]);
    } finally {
      await client.close();
    }
  });

  it('given identical SELECTs asked at once, then they share one statement, each with rows of its own; other reads run as asked', async () => {
    const client = new PostgresSqlClient(pg.url(), 'rm_shared_reads', 4);
    try {
      await client.ensureSchema();
      // `random()` tells one run of a statement from another: a shared run answers every asker the same value.
      const sql = `SELECT random() AS r, ?::int + 1 AS n`;
      const same = await Promise.all([1, 2, 3, 4].map(() => client.query(sql, [1])));
      expect(new Set(same.map(([row]) => row.r)).size).toBe(1);
      expect(same.map(([row]) => row.n)).toEqual([2, 2, 2, 2]);
      same[0][0].n = 99; // an asker's rows are its own
      expect(same.slice(1).map(([row]) => row.n)).toEqual([2, 2, 2]);

      // Asked again after the answer, or with other parameters: run again.
      const apart = await Promise.all([client.query(sql, [1]), client.query(sql, [2])]);
      expect(apart.map(([row]) => row.n)).toEqual([2, 3]);
      expect(new Set([same[1][0].r, ...apart.map(([row]) => row.r)]).size).toBe(3);
      // Only statements beginning with SELECT are shared (a WITH may write).
      const unshared = await Promise.all(
        [1, 2].map(() => client.query(`WITH x AS (SELECT random() AS r) SELECT r FROM x`)),
      );
      expect(unshared[0][0].r).not.toBe(unshared[1][0].r);

      // A shared read that fails fails every asker; the next runs.
      const failed = await Promise.all([1, 2, 3].map(() => failureOf(client.query(`SELECT nope`))));
      for (const e of failed) expect(e).toBeInstanceOf(ReadModelStoreFailed);
      expect(await client.query(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    } finally {
      await client.close();
    }
  });

  it('given the server stops under idle and busy connections, then nothing crashes, queries fail as transient store errors, and all work once it is back', async () => {
    const warnings: string[] = [];
    const url = new URL(pg.url());
    url.password = 'hunter2-secret';
    const client = new PostgresSqlClient(url.toString(), 'rm_restart', 3, {
      logger: { warn: (obj, msg) => warnings.push(`${msg} ${JSON.stringify(obj)}`) },
    });
    try {
      await client.ensureSchema();
      // Three different reads at once, so that three connections open (identical ones would share one).
      await Promise.all([1, 2, 3].map((n) => client.query('SELECT ?::int AS one', [n])));
      // One transaction is open (idle inside it) when the server stops.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const inTransaction = failureOf(
        client.transaction(async (tx) => {
          await tx.query('SELECT 1');
          await held;
          await tx.query('SELECT 2');
        }),
      );
      await new Promise((r) => setTimeout(r, 100));
      await pg.stop();
      release();
      const txError = await inTransaction;
      expect(txError).toBeInstanceOf(ReadModelStoreFailed);
      expect((txError as ReadModelStoreFailed).transient).toBe(true);
      const queryError = await failureOf(client.query('SELECT 1'));
      expect(queryError).toMatchObject({ transient: true });
      expect(warnings.some((w) => w.startsWith('idle postgres connection lost'))).toBe(true);
      expect(warnings.join('\n')).not.toContain('hunter2-secret');

      await pg.start();
      expect(await client.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await client.close();
    }
  });
});
