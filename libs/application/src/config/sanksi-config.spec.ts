import path from 'node:path';
import { ConfigurationInvalid, loadConfig } from './sanksi-config';
import { youngGenerationLimits } from '../runtime/projection-heap';

describe('loadConfig', () => {
  it('given nothing set, then the embedded mode: SQLite under ./data, port 3000, no Kafka', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.eventStore).toEqual({
      kind: 'sqlite',
      file: path.resolve('data/events.db'),
      synchronous: 'NORMAL',
      checkpoints: 'thread',
    });
    expect(config.readModels).toEqual({ kind: 'sqlite', file: path.resolve('data/read-models.db') });
    expect(config.kafka).toBeNull();
    expect(config.apiKeys).toBeNull();
    expect(config.worker).toEqual(['projector', 'scheduler']);
  });

  it('given SANKSI_SQLITE_CHECKPOINTS=inline, then the event log checkpoints inside its commits; another value is refused by name', () => {
    expect(loadConfig({ SANKSI_SQLITE_CHECKPOINTS: 'inline' }).eventStore).toMatchObject({
      kind: 'sqlite',
      checkpoints: 'inline',
    });
    expect(() => loadConfig({ SANKSI_SQLITE_CHECKPOINTS: 'never' })).toThrow(/SANKSI_SQLITE_CHECKPOINTS/);
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
    expect(config.kafka).toEqual({
      brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      partitions: 6,
      replicationFactor: 1,
      minInsyncReplicas: 1,
      caseEventsTopic: 'sanksi.case-events.v1',
      ssl: null,
      sasl: null,
    });
    expect(config.worker).toEqual(['projector', 'scheduler', 'relay', 'oss-consumer', 'traffic-consumer']);
  });

  it('given a three-broker cluster, when replication is configured, then topics get 3 replicas and 2 in sync by default, or what is set', () => {
    const cluster = { KAFKA_BROKERS: 'k1:9092,k2:9092,k3:9092', KAFKA_REPLICATION_FACTOR: '3' };

    expect(loadConfig(cluster).kafka).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(loadConfig({ ...cluster, KAFKA_MIN_INSYNC_REPLICAS: '3' }).kafka).toMatchObject({
      minInsyncReplicas: 3,
    });
  });

  it('given a case-events topic of its own (a shared broker, a test run), then the relay is told it; a bad name is refused', () => {
    expect(
      loadConfig({ KAFKA_BROKERS: 'k:9092', SANKSI_CASE_EVENTS_TOPIC: 'run-7.case-events' }).kafka,
    ).toMatchObject({
      caseEventsTopic: 'run-7.case-events',
    });
    expect(() => loadConfig({ KAFKA_BROKERS: 'k:9092', SANKSI_CASE_EVENTS_TOPIC: 'a topic' })).toThrow(
      /SANKSI_CASE_EVENTS_TOPIC must be a Kafka topic name/,
    );
  });

  it('given min.insync.replicas above the replication factor, then the configuration is refused naming it', () => {
    expect(() => loadConfig({ KAFKA_BROKERS: 'k:9092', KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow(
      /KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_REPLICATION_FACTOR/,
    );
  });

  it('given Kafka TLS, SASL and OSS producer keys, then the client settings and the allow-list', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'kafka-1:9094',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/sanksi/kafka-ca.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'sanksi',
      KAFKA_SASL_PASSWORD: 'pw',
      SANKSI_OSS_PRODUCER_KEYS: `oss-2026:${'a'.repeat(32)},oss-2025:${'b'.repeat(40)}`,
    });
    expect(config.kafka).toMatchObject({
      ssl: { caFile: '/etc/sanksi/kafka-ca.pem' },
      sasl: { mechanism: 'scram-sha-512', username: 'sanksi', password: 'pw' },
    });
    expect(config.ossProducerKeys.map((k) => k.keyId)).toEqual(['oss-2026', 'oss-2025']);
    expect(config.ossSignatureWindowSeconds).toBe(300);
    expect(loadConfig({}).ossProducerKeys).toEqual([]);
  });

  it('given SASL settings in part, then start-up names the missing ones; given a short OSS key, never the key', () => {
    expect(() => loadConfig({ KAFKA_SASL_USERNAME: 'sanksi' })).toThrow(
      /KAFKA_SASL_MECHANISM is required when any KAFKA_SASL_\* is set; KAFKA_SASL_PASSWORD is required/,
    );
    expect(() => loadConfig({ KAFKA_SSL_CERT_FILE: '/c.pem' })).toThrow(/KAFKA_SSL_KEY_FILE is required/);
    let error: unknown;
    try {
      loadConfig({ SANKSI_OSS_PRODUCER_KEYS: 'oss:too-short-s3cret' });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(/SANKSI_OSS_PRODUCER_KEYS must be keyId:secret/);
    expect((error as Error).message).not.toContain('too-short-s3cret');
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

  it('given no case head capacity, then 32,768 heads; given one, that many (0 turns the cache off); a bad one is refused naming it', () => {
    expect(loadConfig({}).caseHeadCapacity).toBe(32_768);
    expect(loadConfig({ SANKSI_CASE_HEAD_CAPACITY: '0' }).caseHeadCapacity).toBe(0);
    expect(loadConfig({ SANKSI_CASE_HEAD_CAPACITY: '100000' }).caseHeadCapacity).toBe(100_000);
    for (const bad of ['-1', '1.5', 'lots']) {
      expect(() => loadConfig({ SANKSI_CASE_HEAD_CAPACITY: bad })).toThrow(/SANKSI_CASE_HEAD_CAPACITY/);
    }
  });

  it('given no projector mode, then a thread (decision 0012); given in-process, then on the main loop; another value is refused naming it', () => {
    expect(loadConfig({}).projectorMode).toBe('thread');
    expect(loadConfig({ SANKSI_PROJECTOR_MODE: 'thread' }).projectorMode).toBe('thread');
    expect(loadConfig({ SANKSI_PROJECTOR_MODE: 'in-process' }).projectorMode).toBe('in-process');
    for (const bad of ['worker', 'THREAD', 'true']) {
      expect(() => loadConfig({ SANKSI_PROJECTOR_MODE: bad })).toThrow(/SANKSI_PROJECTOR_MODE/);
    }
  });

  it('given no young generation for projection threads, then 384 MiB; given one, that many (0: V8 default); a bad one is refused naming it', () => {
    expect(loadConfig({}).projectionYoungMb).toBe(384);
    expect(youngGenerationLimits(loadConfig({}).projectionYoungMb)).toEqual({
      maxYoungGenerationSizeMb: 384,
    });
    expect(loadConfig({ SANKSI_PROJECTION_YOUNG_MB: '96' }).projectionYoungMb).toBe(96);
    expect(youngGenerationLimits(loadConfig({ SANKSI_PROJECTION_YOUNG_MB: '0' }).projectionYoungMb)).toEqual(
      {},
    );
    for (const bad of ['-1', '1.5', 'big', '99999']) {
      expect(() => loadConfig({ SANKSI_PROJECTION_YOUNG_MB: bad })).toThrow(/SANKSI_PROJECTION_YOUNG_MB/);
    }
  });

  it.each([
    ['replay', 'SANKSI_REPLAY_YOUNG_MB', 'replayYoungMb', 96],
    ['simulation', 'SANKSI_SIMULATE_YOUNG_MB', 'simulateYoungMb', 192],
  ] as const)(
    'given no young generation for %s threads, then its default; given one, that many (0: V8 default); a bad one is refused naming it',
    (_, variable, field, fallback) => {
      expect(loadConfig({})[field]).toBe(fallback);
      expect(loadConfig({ [variable]: '0' })[field]).toBe(0);
      expect(loadConfig({ [variable]: '256' })[field]).toBe(256);
      for (const bad of ['-1', '1.5', 'big', '99999']) {
        expect(() => loadConfig({ [variable]: bad })).toThrow(new RegExp(variable));
      }
    },
  );

  it('given no PostgreSQL timeouts, then the documented defaults; given some, then those', () => {
    expect(loadConfig({}).postgres).toEqual({
      connectMs: 5_000,
      statementMs: 30_000,
      idleInTransactionMs: 60_000,
      idleMs: 30_000,
    });
    expect(
      loadConfig({ SANKSI_PG_STATEMENT_TIMEOUT_MS: '0', SANKSI_PG_CONNECT_TIMEOUT_MS: '1500' }).postgres,
    ).toMatchObject({ statementMs: 0, connectMs: 1500 });
  });

  it.each([
    ['SANKSI_API_KEYS', 'operator:short,admin:sk_admin_TOP-SECRET-value-1234', 'sk_admin_TOP-SECRET'],
    ['DATABASE_URL', 'mysql://sanksi:pg-password-s3cret@db.internal/sanksi', 'pg-password-s3cret'],
    ['SANKSI_PG_STATEMENT_TIMEOUT_MS', 'forever-s3cret', 'forever-s3cret'],
    ['KAFKA_BROKERS', 'broker-s3cret', 'broker-s3cret'],
  ])(
    'given a bad %s, then the error names the variable and the rule but never repeats the value',
    (variable, value, secret) => {
      let error: unknown;
      try {
        loadConfig({ [variable]: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationInvalid);
      const invalid = error as ConfigurationInvalid;
      expect(invalid.problems.map((p) => p.variable)).toContain(variable);
      expect(invalid.problems.find((p) => p.variable === variable)?.message).toMatch(
        /must|expected|Invalid|Too/,
      );
      expect(`${invalid.message}\n${JSON.stringify(invalid.problems)}`).not.toContain(secret);
    },
  );
});
