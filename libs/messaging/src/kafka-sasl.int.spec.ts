import path from 'node:path';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { SqliteEventStore } from '@sanksi/event-store';
import { createKafka, ensureTopics, verifyKafkaCredentials } from './kafka.client';
import { KafkaJsPublisher } from './kafkajs.publisher';
import { KafkaRelay } from './kafka-relay';
import { KafkaAuthenticationFailed } from './messaging.errors';
import { SqliteCheckpointStore } from './sqlite-checkpoint.store';
import {
  appendCases,
  consumeUntil,
  deleteTestTopics,
  distinctIds,
  revisionsPerCaseAfterDedup,
  testBrokers,
  uniqueTopic,
} from './__fixtures__/kafka-test.helpers';

jest.setTimeout(120_000);

/** The local broker's SASL_PLAINTEXT listener and SCRAM user (infra/up.sh, infra/kafka/start.sh). */
const SASL_BROKERS = process.env['KAFKA_SASL_BROKERS'] ?? '127.0.0.1:9094';
const USER = process.env['KAFKA_SCRAM_USER'] ?? 'sanksi';
const PASSWORD = process.env['KAFKA_SCRAM_PASSWORD'] ?? 'sanksi-local-scram';

describe('Kafka through the SASL/SCRAM listener of the local broker', () => {
  let dir: TemporaryDirectory;

  beforeEach(() => {
    dir = temporaryDirectory('sanksi-sasl');
  });

  afterEach(async () => {
    await deleteTestTopics(createKafka(testBrokers()));
    dir.remove();
  });

  it('relays events with SCRAM-SHA-256 credentials and a SCRAM-SHA-512 consumer reads them all, in order', async () => {
    // given events, and a relay whose client authenticates with SCRAM-SHA-256
    const kafka = createKafka(SASL_BROKERS, {
      clientId: 'sasl-relay-test',
      sasl: { mechanism: 'scram-sha-256', username: USER, password: PASSWORD },
    });
    expect(await verifyKafkaCredentials(kafka)).toBe('ok');
    const topic = uniqueTopic('sasl');
    await ensureTopics(kafka, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
    const store = new SqliteEventStore({ file: path.join(dir.path, 'events.db') });
    const checkpoints = new SqliteCheckpointStore(path.join(dir.path, 'checkpoints.db'));
    const publisher = new KafkaJsPublisher(kafka);
    const relay = new KafkaRelay({ store, publisher, checkpoints, topic, pollIntervalMs: 20 });
    try {
      const ids = await appendCases(store, { cases: 4, perCase: 5, runId: 'sasl' });
      // when it relays
      await relay.start();
      await relay.caughtUp();
      // then a consumer authenticated with SCRAM-SHA-512 reads every event, in order per case
      const reader = createKafka(SASL_BROKERS, {
        clientId: 'sasl-reader-test',
        sasl: { mechanism: 'scram-sha-512', username: USER, password: PASSWORD },
      });
      const seen = await consumeUntil(reader, topic, (s) => s.length >= ids.length);
      expect(distinctIds(seen)).toEqual(new Set(ids));
      for (const revisions of revisionsPerCaseAfterDedup(seen).values()) {
        expect(revisions).toEqual([0, 1, 2, 3, 4]);
      }
      expect(relay.status()).toMatchObject({ state: 'running', lastError: null });
    } finally {
      await relay.stop();
      await publisher.close();
      await checkpoints.close();
      await store.close();
    }
  });

  it('refuses a wrong password with an error that names the user, the mechanism and the settings, never the password', async () => {
    // given a client with the right user and a wrong password
    const wrong = 'definitely-not-the-password';
    const kafka = createKafka(SASL_BROKERS, {
      clientId: 'sasl-wrong-test',
      sasl: { mechanism: 'scram-sha-256', username: USER, password: wrong },
    });
    // when its credentials are checked at start-up
    const error = await verifyKafkaCredentials(kafka).then(
      () => null,
      (e: unknown) => e,
    );
    // then it is a configuration error, not an outage
    expect(error).toBeInstanceOf(KafkaAuthenticationFailed);
    const message = (error as Error).message;
    expect(message).toContain(`SASL scram-sha-256 credentials of user "${USER}"`);
    expect(message).toContain('KAFKA_SASL_PASSWORD');
    expect(message).toContain(SASL_BROKERS);
    expect(message).not.toContain(wrong);

    // and a relay started with it reports the same code in its status instead of "unavailable"
    const store = new SqliteEventStore({ file: path.join(dir.path, 'events.db') });
    const checkpoints = new SqliteCheckpointStore(path.join(dir.path, 'checkpoints.db'));
    const publisher = new KafkaJsPublisher(kafka);
    const relay = new KafkaRelay({
      store,
      publisher,
      checkpoints,
      topic: uniqueTopic('sasl-wrong'),
      pollIntervalMs: 20,
      backoff: { initialMs: 20, maxMs: 100 },
    });
    try {
      await appendCases(store, { cases: 1, perCase: 1, runId: 'wrong' });
      await relay.start();
      const deadline = Date.now() + 30_000;
      while (relay.status().lastError === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(relay.status()).toMatchObject({
        state: 'waiting-for-broker',
        position: 0,
        lastError: { code: 'KAFKA_AUTHENTICATION_FAILED' },
      });
      expect(relay.status().lastError?.message).not.toContain(wrong);
    } finally {
      await relay.stop();
      await publisher.close();
      await checkpoints.close();
      await store.close();
    }
  });

  it('does not let a client without credentials in through the SASL listener', async () => {
    const anonymous = createKafka(SASL_BROKERS, {
      clientId: 'sasl-anonymous-test',
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 3000,
    });
    expect(await verifyKafkaCredentials(anonymous)).toBe('unreachable');
  });
});
