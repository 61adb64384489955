import { randomUUID } from 'node:crypto';
import { signOssMessage } from '@sanksi/application';
import { createKafka, ensureTopics } from '@sanksi/messaging';
import type { Kafka } from 'kafkajs';
import { runCli, tempDir } from './cli-process.fixture';

jest.setTimeout(180_000);

const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const KEY = { keyId: 'oss-cli-test', secret: 'cli-test-secret-of-the-oss-producer-0123' };

describe('sanksi dlq', () => {
  const { dir, cleanup } = tempDir('dlq');
  const topic = `test.oss.dlq.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  let kafka: Kafka;
  const env = {
    SANKSI_DATA_DIR: dir,
    KAFKA_BROKERS: BROKERS,
    SANKSI_OSS_PRODUCER_KEYS: `${KEY.keyId}:${KEY.secret}`,
  };

  beforeAll(async () => {
    // Replays write to the stores, which the CLI no longer creates unasked (ef49ec9).
    expect(runCli(['migrate'], env).code).toBe(0);
    kafka = createKafka(BROKERS, { clientId: 'cli-dlq-test' });
    // given a DLQ holding a signed registration for a case that does not exist, as the consumer parks it
    await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const value = JSON.stringify({
      pseId: 'ghost',
      registrationNumber: '006860.01/DJAI.PSE/08/2022',
      confirmedAt: '2022-08-03T10:00:00+07:00',
    });
    const headers = { ce_id: 'oss-ghost-1' };
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: null,
          value,
          headers: {
            ...headers,
            ...signOssMessage({ key: null, value, headers }, KEY),
            'x-dlq-reason': 'unknown-case',
            'x-dlq-detail': 'case ghost not found',
            'x-dlq-source': 'oss.registrations.v1/2/17',
            'x-dlq-message-id': 'oss-ghost-1',
            'x-dlq-appended-at': String(Date.now()),
            'x-dlq-attempts': '1',
          },
        },
      ],
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    cleanup();
  });

  it('lists the letters with reason, origin and message id', () => {
    const run = runCli(['dlq', 'list', '--topic', topic, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      expect.objectContaining({
        offset: '0',
        reason: 'unknown-case',
        source: 'oss.registrations.v1/2/17',
        messageId: 'oss-ghost-1',
        attempts: 1,
      }),
    ]);
    expect(runCli(['dlq', 'list', '--topic', topic], env).stdout).toContain('case ghost not found');
  });

  it('replays a chosen letter and exits 1 while it still cannot apply, naming why', () => {
    const run = runCli(['dlq', 'replay', '--topic', topic, '--offset', '0', '--json'], env);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      expect.objectContaining({
        offset: '0',
        was: 'unknown-case',
        outcome: 'dead-letter',
        reason: 'unknown-case',
      }),
    ]);
  });

  it('refuses a replay without a selection, an unknown offset, an unknown reason, and a missing broker setting', () => {
    const none = runCli(['dlq', 'replay', '--topic', topic], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--offset <n>.*--reason <reason>.*--all/);
    const missing = runCli(['dlq', 'replay', '--topic', topic, '--offset', '9'], env);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('no dead letter at offset(s) 9');
    const reason = runCli(['dlq', 'replay', '--topic', topic, '--reason', 'whatever'], env);
    expect(reason.code).toBe(2);
    expect(reason.stderr).toMatch(/--reason.*handler-failed/);
    const noKafka = runCli(['dlq', 'list'], { SANKSI_DATA_DIR: dir });
    expect(noKafka.code).toBe(2);
    expect(noKafka.stderr).toContain('set KAFKA_BROKERS');
  });
});

describe('sanksi dlq --source traffic', () => {
  const { dir, cleanup } = tempDir('dlq-traffic');
  const topic = `test.traffic.dlq.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  let kafka: Kafka;
  const env = { SANKSI_DATA_DIR: dir, KAFKA_BROKERS: BROKERS };
  const parked = (reason: string, detail: string, offset: number, appendedAt: number) => ({
    'x-dlq-reason': reason,
    'x-dlq-detail': detail,
    'x-dlq-source': `traffic.observations.v1/0/${offset}`,
    'x-dlq-message-id': `traffic.observations.v1/0/${offset}`,
    'x-dlq-appended-at': String(appendedAt),
  });

  beforeAll(async () => {
    expect(runCli(['migrate'], env).code).toBe(0);
    kafka = createKafka(BROKERS, { clientId: 'cli-dlq-traffic-test' });
    // given a traffic DLQ as the consumer parks it: a message that is no JSON, and an observation that is
    // valid now (parked under older rules, or fixed by hand since)
    await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: null,
          value: '{broken',
          headers: parked('invalid-observation', 'row: not JSON', 7, 1_659_600_000_000),
        },
        {
          key: null,
          value: JSON.stringify({
            domain: 'newshop.example',
            period: '2022-07',
            visits: 1200000,
            source: 'sw',
          }),
          headers: parked('invalid-observation', 'domain: not a host name', 8, 1_659_600_000_000),
        },
      ],
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    cleanup();
  });

  it('lists the traffic letters with reason, origin and append time', () => {
    const run = runCli(['dlq', 'list', '--source', 'traffic', '--topic', topic, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      expect.objectContaining({
        offset: '0',
        reason: 'invalid-observation',
        detail: 'row: not JSON',
        source: 'traffic.observations.v1/0/7',
        appendedAt: '2022-08-04T08:00:00.000Z',
        value: '{broken',
      }),
      expect.objectContaining({ offset: '1', source: 'traffic.observations.v1/0/8' }),
    ]);
  });

  it('replays through the ingest: a valid observation is recorded (then a duplicate), an invalid one is reported and the exit code is 1', () => {
    const all = runCli(['dlq', 'replay', '--source', 'traffic', '--topic', topic, '--all', '--json'], env);
    expect(all.code).toBe(1);
    expect(JSON.parse(all.stdout)).toEqual([
      expect.objectContaining({
        offset: '0',
        was: 'invalid-observation',
        outcome: 'dead-letter',
        reason: 'invalid-observation',
        detail: expect.stringMatching(/not JSON/),
      }),
      expect.objectContaining({
        offset: '1',
        outcome: 'recorded',
        domain: 'newshop.example',
        period: '2022-07',
        source: 'sw',
      }),
    ]);
    const again = runCli(['dlq', 'replay', '--source', 'traffic', '--topic', topic, '--offset', '1'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/duplicate\s+newshop\.example 2022-07 sw/);
    // and the fact is in the log: discovery finds it
    const discovered = runCli(['discovery', '--json'], env);
    expect(discovered.stdout).toContain('newshop.example');
  });

  it('refuses an OSS reason for the traffic DLQ, naming the traffic reasons, and an unknown source', () => {
    const reason = runCli(
      ['dlq', 'replay', '--source', 'traffic', '--topic', topic, '--reason', 'refused'],
      env,
    );
    expect(reason.code).toBe(2);
    expect(reason.stderr).toMatch(
      /refused is no reason of the traffic DLQ: invalid-observation, conflicting-figure/,
    );
    const source = runCli(['dlq', 'list', '--source', 'registry', '--topic', topic], env);
    expect(source.code).toBe(2);
    expect(source.stderr).toMatch(/--source/);
  });
});
