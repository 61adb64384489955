import { Client } from 'pg';
import { createTemporaryPostgresDatabase, postgresServerUrl } from './temporary-postgres-database';

async function databaseExists(name: string): Promise<boolean> {
  const admin = new Client({ connectionString: postgresServerUrl() });
  await admin.connect();
  try {
    const result = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('createTemporaryPostgresDatabase (real PostgreSQL)', () => {
  it('given a prefix, when created, then an empty database of that prefix is reachable at url', async () => {
    const database = await createTemporaryPostgresDatabase('sanksi_testing_probe');
    try {
      expect(database.name).toMatch(/^sanksi_testing_probe_[0-9a-f]{12}$/);
      expect(new URL(database.url).pathname).toBe(`/${database.name}`);
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const current = await client.query<{ db: string }>('SELECT current_database() AS db');
        expect(current.rows[0].db).toBe(database.name);
        const tables = await client.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'");
        expect(tables.rowCount).toBe(0);
      } finally {
        await client.end();
      }
    } finally {
      await database.drop();
    }
  });

  it('given a connection still open, when dropped, then the database is gone anyway', async () => {
    const database = await createTemporaryPostgresDatabase('sanksi_testing_drop');
    const lingering = new Client({ connectionString: database.url });
    lingering.on('error', () => undefined); // the forced drop terminates it, which is the point
    await lingering.connect();
    expect(await databaseExists(database.name)).toBe(true);

    await database.drop();

    expect(await databaseExists(database.name)).toBe(false);
    await lingering.end().catch(() => undefined);
  });

  it('given two databases with the same prefix, when created, then their names differ', async () => {
    const [a, b] = await Promise.all([
      createTemporaryPostgresDatabase('Sanksi-Testing'),
      createTemporaryPostgresDatabase('Sanksi-Testing'),
    ]);
    try {
      expect(a.name).not.toBe(b.name);
      expect(a.name.startsWith('sanksi_testing_')).toBe(true);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});

describe('postgresServerUrl', () => {
  const saved = process.env['DATABASE_URL'];
  afterEach(() => {
    if (saved === undefined) delete process.env['DATABASE_URL'];
    else process.env['DATABASE_URL'] = saved;
  });

  it('given DATABASE_URL, when asked, then that server', () => {
    process.env['DATABASE_URL'] = 'postgres://someone@db.example:6543/admin';
    expect(postgresServerUrl()).toBe('postgres://someone@db.example:6543/admin');
  });

  it('given no DATABASE_URL, when asked, then the local trust-auth server', () => {
    delete process.env['DATABASE_URL'];
    expect(postgresServerUrl()).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });
});
