import { createTemporaryPostgresDatabase, type TemporaryPostgresDatabase } from '@sanksi/testing';
import { runCli, tempDir, writeRegistryFixture } from './cli-process.fixture';

jest.setTimeout(180_000);

describe('sanksi against PostgreSQL (SANKSI_EVENT_STORE=postgres, DATABASE_URL)', () => {
  const { dir, cleanup } = tempDir('pg');
  let database: TemporaryPostgresDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTemporaryPostgresDatabase('sanksi_cli');
    env = { SANKSI_DATA_DIR: dir, SANKSI_EVENT_STORE: 'postgres', DATABASE_URL: database.url };
  });
  afterAll(async () => {
    cleanup();
    await database.drop();
  });

  it('given a fresh database, when importing, listing, re-importing and verifying, then the same results as embedded', () => {
    const files = writeRegistryFixture(dir);
    const args = ['import', '--snapshot', files.snapshot, '--changes', files.changes, '--json'];
    const first = runCli(args, env);
    expect(first.code).toBe(0);
    // The fixture's '-' and IP-only systems are cases too (decision 0007): 7, two more registered.
    expect(JSON.parse(first.stdout)).toMatchObject({
      casesCreated: 7,
      finalStates: { registered: 5, suspended: 1, revoked: 1 },
    });
    const listed = JSON.parse(runCli(['cases', 'list', '--state', 'revoked', '--json'], env).stdout);
    expect(listed.items.map((c: { pseId: string }) => c.pseId)).toEqual(['reg-12']);
    expect(JSON.parse(runCli(args, env).stdout)).toMatchObject({ casesCreated: 0, commandsApplied: 0 });
    const verified = runCli(['verify', '--json'], env);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, cases: 7 });
    expect(runCli(['blocklist', 'export', '--format', 'txt'], env).stdout).toBe('cabut.co.id\n');
  });
});
