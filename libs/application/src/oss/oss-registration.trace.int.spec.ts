import { randomUUID } from 'node:crypto';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { createKafka, ensureTopics } from '@sanksi/messaging';
import type { Kafka } from 'kafkajs';
import { ManualClock } from '../cases/clock';
import { loadConfig } from '../config/sanksi-config';
import { createRuntime, type SanksiRuntime } from '../runtime/sanksi-runtime';
import { createSanksiLogger } from '../runtime/sanksi-logger';
import { OssRegistrationConsumer } from './oss-registration.consumer';
import type { RegistrationOutcome } from './oss-registration.handler';
import { signOssMessage, type OssProducerKey } from './oss-signature';

jest.setTimeout(120_000);

const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const OSS_KEY: OssProducerKey = { keyId: 'oss-trace', secret: 'trace-secret-of-the-oss-producer-0123456789' };
const TRACE = '5e1f8f0b2c9a4d7e8f0a1b2c3d4e5f60';
const wib = (local: string) => `${local}:00+07:00`;

describe('OSS consumer: a traced message keeps its trace in the log lines and the events', () => {
  let dir: TemporaryDirectory;
  let runtime: SanksiRuntime;
  let kafka: Kafka;
  const lines: Array<Record<string, unknown>> = [];
  const clock = new ManualClock(wib('2022-07-18T09:00'));
  const topic = `test.oss-trace.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    dir = temporaryDirectory('sanksi-oss-trace');
    runtime = await createRuntime(
      loadConfig({
        SANKSI_DATA_DIR: dir.path,
        SANKSI_OSS_PRODUCER_KEYS: `${OSS_KEY.keyId}:${OSS_KEY.secret}`,
      }),
      {
        clock,
        logger: createSanksiLogger('info', { write: (l: string) => void lines.push(JSON.parse(l)) }),
      },
    );
    kafka = createKafka(BROKERS, { clientId: 'oss-trace-spec' });
    await ensureTopics(kafka, [
      {
        topic,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
      },
      { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1 },
    ]);
    for (const pseId of ['traced', 'untraced'])
      await runtime.commands.execute(
        {
          type: 'IdentifyPse',
          pseId,
          name: pseId,
          origin: 'foreign',
          domains: [`${pseId}.example`],
          policy: 'kominfo-2022',
          company: null,
          sector: null,
        },
        { actor: { id: 'op-1', role: 'operator' } },
      );
    clock.set(wib('2022-07-23T10:00'));
    for (const pseId of ['traced', 'untraced'])
      await runtime.commands.execute(
        { type: 'IssueWarning', pseId, letterNumber: `B-${pseId}` },
        { actor: { id: 'op-1', role: 'operator' } },
      );
    clock.set(wib('2022-07-26T10:00'));
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
    await runtime.close();
    dir.remove();
  });

  it('given one message with a traceparent and one without, when consumed, then only the first says traceId in its lines and records it with its events', async () => {
    const message = (pseId: string, id: string, number: string, headers: Record<string, string>) => {
      const value = JSON.stringify({
        pseId,
        registrationNumber: number,
        confirmedAt: wib('2022-07-25T10:00'),
      });
      const all = { ce_id: id, ...headers };
      return {
        key: null,
        value,
        headers: { ...all, ...signOssMessage({ key: null, value, headers: all }, OSS_KEY) },
      };
    };
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        message('traced', 'oss-traced-1', '006870.01/DJAI.PSE/07/2022', {
          traceparent: `00-${TRACE}-a1b2c3d4e5f60718-01`,
        }),
        message('untraced', 'oss-untraced-1', '006871.01/DJAI.PSE/07/2022', {}),
      ],
    });
    await producer.disconnect();

    const outcomes: RegistrationOutcome[] = [];
    const consumer = new OssRegistrationConsumer(runtime, {
      brokers: BROKERS,
      topic,
      groupId: `oss-trace-${randomUUID()}`,
      onOutcome: (o) => outcomes.push(o),
    });
    await consumer.start();
    try {
      const deadline = Date.now() + 60_000;
      while (outcomes.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await consumer.stop();
    }

    expect(outcomes.map((o) => [o.kind, o.messageId, 'detail' in o ? o.detail : null])).toEqual([
      ['applied', 'oss-traced-1', null],
      ['applied', 'oss-untraced-1', null],
    ]);
    const confirmed = lines.filter((l) => l['msg'] === 'registration confirmed from OSS');
    expect(confirmed.map((l) => [l['pseId'], l['traceId']])).toEqual([
      ['traced', TRACE],
      ['untraced', undefined],
    ]);
    const traced = await runtime.eventStore.readStream('pse-traced');
    expect(traced.at(-1)?.metadata).toMatchObject({ traceId: TRACE, correlationId: 'oss-traced-1' });
    const untraced = await runtime.eventStore.readStream('pse-untraced');
    expect(untraced.at(-1)?.metadata).not.toHaveProperty('traceId');
  });
});
