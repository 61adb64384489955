import path from 'node:path';
import { ConfigurationInvalid, loadConfig } from './sanksi-config';

describe('loadConfig', () => {
  it('given nothing set, then the embedded mode: SQLite under ./data, port 3000, no Kafka', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.eventStore).toEqual({
      kind: 'sqlite',
      file: path.resolve('data/events.db'),
      synchronous: 'NORMAL',
    });
    expect(config.readModels).toEqual({ kind: 'sqlite', file: path.resolve('data/read-models.db') });
    expect(config.kafka).toBeNull();
    expect(config.apiKeys).toBeNull();
    expect(config.worker).toEqual(['projector', 'scheduler']);
  });

  it('given PostgreSQL and Kafka, then both are used and the relay and OSS consumer run', () => {
    const config = loadConfig({
      SANKSI_EVENT_STORE: 'postgres',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sanksi',
      KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9093',
    });
    expect(config.eventStore).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://postgres@127.0.0.1:5432/sanksi',
    });
    expect(config.readModels.kind).toBe('postgres');
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092', '127.0.0.1:9093'], partitions: 6 });
    expect(config.worker).toEqual(['projector', 'scheduler', 'relay', 'oss-consumer']);
  });

  it('given API keys, then they are parsed by role', () => {
    const config = loadConfig({ SANKSI_API_KEYS: 'operator:0123456789abcdef0,admin:fedcba98765432100' });
    expect(config.apiKeys).toEqual([
      { role: 'operator', key: '0123456789abcdef0' },
      { role: 'admin', key: 'fedcba98765432100' },
    ]);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SANKSI_EVENT_STORE: 'mysql' }, 'SANKSI_EVENT_STORE'],
    [{ SANKSI_EVENT_STORE: 'postgres' }, 'DATABASE_URL'],
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
    [{ SANKSI_API_KEYS: 'root:secret' }, 'SANKSI_API_KEYS'],
    [{ SANKSI_WORKER: 'projector,mailer' }, 'SANKSI_WORKER'],
  ])('given %j, then start-up stops naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigurationInvalid);
    try {
      loadConfig(env);
    } catch (e) {
      expect((e as ConfigurationInvalid).problems.map((p) => p.variable)).toContain(variable);
      expect((e as Error).message).toContain(variable);
    }
  });
});
