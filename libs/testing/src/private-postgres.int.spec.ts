import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';

async function select1(url: string): Promise<number> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

describe('startPrivatePostgres (a cluster of its own)', () => {
  let pg: PrivatePostgres | undefined;
  afterEach(async () => {
    await pg?.destroy();
    pg = undefined;
  });

  it('given a private cluster, when stopped and started again, then it refuses connections while down, keeps its data, and destroy removes it', async () => {
    pg = await startPrivatePostgres();
    expect(pg.port).not.toBe(5432);
    expect(await select1(pg.url())).toBe(1);
    const admin = new Client({ connectionString: pg.url() });
    await admin.connect();
    await admin.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await admin.end();

    await pg.stop();
    await expect(select1(pg.url())).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await pg.start();
    const again = new Client({ connectionString: pg.url() });
    await again.connect();
    expect((await again.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
    await again.end();

    await pg.restart();
    expect(await select1(pg.url())).toBe(1);

    const dir = pg.dataDir;
    await pg.destroy();
    pg = undefined;
    expect(existsSync(dir)).toBe(false);
  }, 60_000);
});
