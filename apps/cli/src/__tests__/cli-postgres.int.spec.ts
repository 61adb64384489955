import { Client } from 'pg';
import { runCli, tempDir, writeRegistryFixture } from './cli-process.fixture';

jest.setTimeout(180_000);

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

describe('sanksi against PostgreSQL (SANKSI_EVENT_STORE=postgres, DATABASE_URL)', () => {
  const database = `sanksi_cli_${process.pid}_${Date.now()}`;
  const { dir, cleanup } = tempDir('pg');
  const env = {
    SANKSI_DATA_DIR: dir,
    SANKSI_EVENT_STORE: 'postgres',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
  };

  beforeAll(async () => {
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
  });
  afterAll(async () => {
    cleanup();
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('given a fresh database, when importing, listing, re-importing and verifying, then the same results as embedded', () => {
    const files = writeRegistryFixture(dir);
    const args = ['import', '--snapshot', files.snapshot, '--changes', files.changes, '--json'];
    const first = runCli(args, env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      casesCreated: 5,
      finalStates: { registered: 3, suspended: 1, revoked: 1 },
    });
    const listed = JSON.parse(runCli(['cases', 'list', '--state', 'revoked', '--json'], env).stdout);
    expect(listed.items.map((c: { pseId: string }) => c.pseId)).toEqual(['reg-12']);
    expect(JSON.parse(runCli(args, env).stdout)).toMatchObject({ casesCreated: 0, commandsApplied: 0 });
    const verified = runCli(['verify', '--json'], env);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, cases: 5 });
    expect(runCli(['blocklist', 'export', '--format', 'txt'], env).stdout).toBe('cabut.co.id\n');
  });
});
