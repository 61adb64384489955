import { startPrivatePostgres, type PrivatePostgres } from '@sanksi/testing';
import { CheckpointStoreFailed } from './messaging.errors';
import { PostgresCheckpointStore } from './postgres-checkpoint.store';

jest.setTimeout(60_000);

describe('PostgresCheckpointStore when the server restarts (a private cluster)', () => {
  let pg: PrivatePostgres;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
  });
  afterAll(async () => {
    await pg.destroy();
  });

  it('given idle pooled connections when the server stops, then the process does not crash, the loss is logged without the password, loads fail typed while down and the checkpoint is there once it is back', async () => {
    const warnings: string[] = [];
    const url = new URL(pg.url());
    url.password = 'hunter2-secret';
    const store = new PostgresCheckpointStore(url.toString(), {
      timeouts: { connectMs: 1000 },
      logger: { warn: (obj, msg) => warnings.push(`${msg} ${JSON.stringify(obj)}`) },
    });
    try {
      await Promise.all([store.save('relay', 41), store.save('other', 7)]);
      await pg.stop();
      await expect(store.load('relay')).rejects.toBeInstanceOf(CheckpointStoreFailed);
      expect(warnings.some((w) => w.startsWith('idle postgres connection lost'))).toBe(true);
      expect(warnings.join('\n')).not.toContain('hunter2-secret');
      await pg.start();
      expect(await store.load('relay')).toBe(41);
    } finally {
      await store.close();
    }
  });
});
