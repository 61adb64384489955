import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { SqliteEventStore } from '@sanksi/event-store';
import { createKafka, ensureTopics, verifyKafkaCredentials } from './kafka.client';
import { KafkaJsPublisher } from './kafkajs.publisher';
import { KafkaRelay } from './kafka-relay';
import { SqliteCheckpointStore } from './sqlite-checkpoint.store';
import {
  appendCases,
  consumeUntil,
  distinctIds,
  OwnBroker,
  revisionsPerCaseAfterDedup,
} from './__fixtures__/kafka-test.helpers';

jest.setTimeout(240_000);

// A broker of this test's own with a TLS listener (infra/kafka/start.sh KAFKA_SSL_PORT: a private CA
// and a certificate for 127.0.0.1 made at its first start), so the shared broker is left as it is.
describe('Kafka over TLS', () => {
  let dir: TemporaryDirectory;
  let broker: OwnBroker;
  let tlsBrokers: string;

  beforeAll(async () => {
    dir = temporaryDirectory('sanksi-kafka-tls');
    const tlsPort = await freePort();
    broker = new OwnBroker(path.join(dir.path, 'kafka'), await freePort(), await freePort(), {
      KAFKA_SSL_PORT: String(tlsPort),
    });
    await broker.start();
    tlsBrokers = `127.0.0.1:${tlsPort}`;
  });

  afterAll(async () => {
    await broker?.stop();
    dir?.remove();
  });

  it('relays events through the TLS listener to a consumer that trusts the private CA', async () => {
    const ca = readFileSync(path.join(broker.runDir, 'tls', 'ca.pem'), 'utf8');
    const kafka = createKafka(tlsBrokers, { clientId: 'tls-relay-test', ssl: { ca } });
    expect(await verifyKafkaCredentials(kafka)).toBe('ok');
    const topic = 'test.tls.case-events';
    await ensureTopics(kafka, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
    const store = new SqliteEventStore({ file: path.join(dir.path, 'events.db') });
    const checkpoints = new SqliteCheckpointStore(path.join(dir.path, 'checkpoints.db'));
    const publisher = new KafkaJsPublisher(kafka);
    const relay = new KafkaRelay({ store, publisher, checkpoints, topic, pollIntervalMs: 20 });
    try {
      const ids = await appendCases(store, { cases: 3, perCase: 4, runId: 'tls' });
      await relay.start();
      await relay.caughtUp();
      const seen = await consumeUntil(kafka, topic, (s) => s.length >= ids.length);
      expect(distinctIds(seen)).toEqual(new Set(ids));
      for (const revisions of revisionsPerCaseAfterDedup(seen).values())
        expect(revisions).toEqual([0, 1, 2, 3]);
    } finally {
      await relay.stop();
      await publisher.close();
      await checkpoints.close();
      await store.close();
    }
  });

  it('refuses a broker whose certificate the client does not trust, naming the reason', async () => {
    // ssl: true trusts only the system CAs, which did not sign the local broker's certificate
    const kafka = createKafka(tlsBrokers, { clientId: 'tls-untrusted-test', ssl: true });
    const publisher = new KafkaJsPublisher(kafka);
    try {
      await expect(
        publisher.publish('test.tls.case-events', [{ key: 'k', value: '{}', headers: {} }]),
      ).rejects.toThrow(/unable to verify the first certificate|self.signed|certificate/);
    } finally {
      await publisher.close();
    }
  });
});
