import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { temporaryDirectory, type TemporaryDirectory, waitUntil, freePort } from '@sanksi/testing';
import type { Actor } from '@sanksi/domain';
import { createKafka, ensureTopics } from '@sanksi/messaging';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { ManualClock } from '../cases/clock';
import { loadConfig } from '../config/sanksi-config';
import { createRuntime, type SanksiRuntime } from '../runtime/sanksi-runtime';
import { readDeadLetters, replayDeadLetters } from './oss-dlq';
import { OssRegistrationConsumer } from './oss-registration.consumer';
import type { RegistrationOutcome } from './oss-registration.handler';
import { signOssMessage, type OssProducerKey } from './oss-signature';

jest.setTimeout(120_000);

const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const OPERATOR: Actor = { id: 'op-1', role: 'operator' };
const wib = (local: string) => `${local}:00+07:00`;
/** The producer key the runtime trusts (SANKSI_OSS_PRODUCER_KEYS) and one it does not know. */
const OSS_KEY: OssProducerKey = { keyId: 'oss-test', secret: 'test-secret-of-the-oss-producer-0123456789' };
const STRANGER: OssProducerKey = { keyId: 'stranger', secret: 'a-secret-nobody-configured-0123456789abcd' };
const CONFIG = { SANKSI_LOG_LEVEL: 'silent', SANKSI_OSS_PRODUCER_KEYS: `${OSS_KEY.keyId}:${OSS_KEY.secret}` };

function unique(label: string): string {
  return `test.${label}.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}

async function readAll(kafka: Kafka, topic: string, expected: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: unique('dlq-reader') });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message);
      },
    });
    await waitUntil(`${expected} messages on ${topic}`, () => seen.length >= expected);
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();

describe('OssRegistrationConsumer on the real broker', () => {
  let dir: TemporaryDirectory;
  let clock: ManualClock;
  let runtime: SanksiRuntime;
  let kafka: Kafka;
  let topic: string;
  let dlqTopic: string;

  beforeEach(async () => {
    dir = temporaryDirectory('sanksi-oss');
    clock = new ManualClock(wib('2022-07-18T09:00'));
    runtime = await createRuntime(loadConfig({ ...CONFIG, SANKSI_DATA_DIR: dir.path }), {
      clock,
      logger: pino({ level: 'silent' }),
    });
    kafka = createKafka(BROKERS, { clientId: 'oss-consumer-spec' });
    topic = unique('oss.registrations');
    dlqTopic = `${topic}.dlq`;
    await ensureTopics(kafka, [
      {
        topic,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
      },
      { topic: dlqTopic, numPartitions: 1, replicationFactor: 1 },
    ]);
  });

  afterEach(async () => {
    // Tests leave no topics behind on the shared broker.
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
    await runtime.close();
    dir.remove();
  });

  async function blockedPaypalAndWarnedValve(): Promise<void> {
    const identify = (pseId: string, domains: string[]) =>
      runtime.commands.execute(
        {
          type: 'IdentifyPse',
          pseId,
          name: pseId,
          origin: 'foreign',
          domains,
          policy: 'kominfo-2022',
          company: null,
          sector: null,
        },
        { actor: OPERATOR },
      );
    await identify('paypal', ['paypal.com']);
    await identify('valve', ['steampowered.com', 'steamcommunity.com']);
    await identify('twin-a', ['shared.example']);
    await identify('twin-b', ['shared.example']);
    clock.set(wib('2022-07-23T10:00'));
    for (const pseId of ['paypal', 'valve']) {
      await runtime.commands.execute(
        { type: 'IssueWarning', pseId, letterNumber: `B-${pseId}` },
        { actor: OPERATOR },
      );
    }
    clock.set(wib('2022-07-30T06:00'));
    // kominfo-2022 blocks by itself when the warning lapses, at the due instant (docs/decisions/0004)
    await runtime.commands.execute(
      { type: 'ElapseDeadline', pseId: 'paypal', deadline: 'warningResponse' },
      { actor: OPERATOR, occurredAt: '2022-07-29T23:59:59+07:00' },
    );
    clock.set(wib('2022-08-03T12:00'));
    await runtime.projector.runOnce();
  }

  /** Produces the messages, each signed by the trusted OSS key unless it says otherwise. */
  async function produce(
    messages: Array<{
      value: string;
      headers?: Record<string, string>;
      signWith?: OssProducerKey | null;
      signedAt?: number;
      tamper?: (headers: IHeaders) => void;
    }>,
  ): Promise<void> {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map(({ value, headers = {}, signWith = OSS_KEY, signedAt, tamper }) => {
          const signed: IHeaders =
            signWith === null
              ? { ...headers }
              : { ...headers, ...signOssMessage({ key: null, value, headers }, signWith, signedAt) };
          tamper?.(signed);
          return { key: null, value, headers: signed };
        }),
      });
    } finally {
      await producer.disconnect();
    }
  }

  function consumer(outcomes: RegistrationOutcome[], groupId = unique('group')): OssRegistrationConsumer {
    return new OssRegistrationConsumer(runtime, {
      brokers: BROKERS,
      topic,
      dlqTopic,
      groupId,
      onOutcome: (o) => outcomes.push(o),
    });
  }

  it('confirms registrations, dead-letters what it cannot use with a reason, goes on, and ignores redelivery', async () => {
    // given a blocked PayPal, a warned Valve, two cases sharing a domain, and a mixed batch on the topic
    await blockedPaypalAndWarnedValve();
    const paypalMsg = {
      value: JSON.stringify({
        pseId: 'paypal',
        registrationNumber: '006860.01/DJAI.PSE/08/2022',
        confirmedAt: wib('2022-08-03T10:00'),
      }),
      headers: { ce_id: 'oss-msg-1' },
    };
    await produce([
      paypalMsg,
      { value: '{"pseId": "paypal", oops' },
      {
        value: JSON.stringify({
          domain: 'www.SteamPowered.com',
          registrationNumber: '006861.01/DJAI.PSE/08/2022',
          confirmedAt: wib('2022-08-03T11:00'),
        }),
        headers: { 'message-id': 'oss-msg-2' },
      },
      {
        value: JSON.stringify({
          domain: 'nobody.example',
          registrationNumber: '006862.01/DJAI.PSE/08/2022',
          confirmedAt: wib('2022-08-03T11:00'),
        }),
      },
      {
        value: JSON.stringify({
          pseId: 'paypal',
          registrationNumber: 'not-a-number',
          confirmedAt: wib('2022-08-03T11:00'),
        }),
      },
      {
        value: JSON.stringify({
          domain: 'shared.example',
          registrationNumber: '006863.01/DJAI.PSE/08/2022',
          confirmedAt: wib('2022-08-03T11:00'),
        }),
      },
      paypalMsg,
    ]);

    // when the consumer reads the topic
    const outcomes: RegistrationOutcome[] = [];
    const first = consumer(outcomes);
    await first.start();
    try {
      await waitUntil('seven outcomes', () => outcomes.length >= 7);
    } finally {
      await first.stop();
    }

    // then PayPal is registered and off the blocklist in the same append, Valve is registered by its domain
    expect(outcomes.map((o) => o.kind)).toEqual([
      'applied',
      'dead-letter',
      'applied',
      'dead-letter',
      'dead-letter',
      'dead-letter',
      'duplicate',
    ]);
    const paypal = (await runtime.commands.load('paypal')).envelopes;
    expect(paypal.slice(-2).map((e) => [e.type, e.commandId, e.actor.role])).toEqual([
      ['RegistrationConfirmed', 'oss:oss-msg-1', 'service'],
      ['AccessRestored', 'oss:oss-msg-1', 'service'],
    ]);
    expect(paypal.at(-1)?.state).toMatchObject({ state: 'reRegistered', onBlocklist: false });
    expect(paypal.filter((e) => e.type === 'RegistrationConfirmed')).toHaveLength(1);
    // Valve's warning had lapsed unanswered: the confirmation first brought it up to date (blocked at the
    // due instant, under kominfo-2022), then registered it and lifted that block in the same append
    const valve = (await runtime.commands.load('valve')).envelopes;
    expect(valve.slice(-4).map((e) => [e.type, e.occurredAt, e.actor.id])).toEqual([
      ['DeadlineElapsed', '2022-07-29T23:59:59+07:00', 'sanksi-scheduler'],
      ['AccessBlocked', '2022-07-29T23:59:59+07:00', 'sanksi-escalation'],
      ['RegistrationConfirmed', wib('2022-08-03T11:00'), valve.at(-1)?.actor.id],
      ['AccessRestored', wib('2022-08-03T11:00'), valve.at(-1)?.actor.id],
    ]);
    expect(valve.at(-2)).toMatchObject({ type: 'RegistrationConfirmed', commandId: 'oss:oss-msg-2' });
    expect(valve.at(-1)?.state).toMatchObject({ state: 'reRegistered', onBlocklist: false });

    // and the four unusable messages are in the DLQ, each with its reason and origin
    const parked = await readAll(kafka, dlqTopic, 4);
    expect(parked.map((m) => header(m, 'x-dlq-reason'))).toEqual([
      'unparseable',
      'unknown-case',
      'invalid',
      'ambiguous-case',
    ]);
    expect(parked.map((m) => header(m, 'x-dlq-source'))).toEqual([
      `${topic}/0/1`,
      `${topic}/0/3`,
      `${topic}/0/4`,
      `${topic}/0/5`,
    ]);
    expect(parked[0].value?.toString()).toBe('{"pseId": "paypal", oops');
    expect(header(parked[2], 'x-dlq-detail')).toMatch(/registrationNumber/);
    expect(header(parked[3], 'x-dlq-detail')).toMatch(/twin-a, twin-b/);

    // when another consumer group reads the whole topic again (a redelivery of everything)
    const before = (await runtime.eventStore.headPosition()) as number;
    const again: RegistrationOutcome[] = [];
    const second = consumer(again);
    await second.start();
    try {
      await waitUntil('seven outcomes again', () => again.length >= 7);
    } finally {
      await second.stop();
    }
    // then nothing is appended
    expect(again.filter((o) => o.kind === 'applied')).toEqual([]);
    expect(again.filter((o) => o.kind === 'duplicate')).toHaveLength(3);
    expect(await runtime.eventStore.headPosition()).toBe(before);
  });

  it('dead-letters a registration the machine refuses, and confirms the next message of the same case', async () => {
    // given a case, and first a confirmation dated before its last event, then a valid one
    await blockedPaypalAndWarnedValve();
    await produce([
      {
        value: JSON.stringify({
          pseId: 'paypal',
          registrationNumber: '006860.01/DJAI.PSE/08/2022',
          confirmedAt: wib('2022-07-19T10:00'),
        }),
      },
      {
        value: JSON.stringify({
          pseId: 'ghost',
          registrationNumber: '006860.01/DJAI.PSE/08/2022',
          confirmedAt: wib('2022-08-03T10:00'),
        }),
      },
      {
        value: JSON.stringify({
          pseId: 'paypal',
          registrationNumber: '006860.01/DJAI.PSE/08/2022',
          confirmedAt: wib('2022-08-03T10:00'),
        }),
      },
    ]);
    // when consumed
    const outcomes: RegistrationOutcome[] = [];
    const c = consumer(outcomes);
    await c.start();
    try {
      await waitUntil('three outcomes', () => outcomes.length >= 3);
    } finally {
      await c.stop();
    }
    // then the refused and the unknown one are parked with their reasons and the last one applies
    expect(outcomes.map((o) => (o.kind === 'dead-letter' ? o.reason : o.kind))).toEqual([
      'refused',
      'unknown-case',
      'applied',
    ]);
    const parked = await readAll(kafka, dlqTopic, 2);
    expect(parked.map((m) => header(m, 'x-dlq-reason'))).toEqual(['refused', 'unknown-case']);
    expect(header(parked[0], 'x-dlq-detail')).toMatch(/business time never goes backwards/);
    expect(c.status()).toMatchObject({ state: 'stopped', applied: 1, deadLettered: 2, position: 3 });
  });

  it('does not lose a message whose handling failed for want of a store: the group delivers it again', async () => {
    // given a blocked case, and a consumer whose runtime lost its stores
    await blockedPaypalAndWarnedValve();
    const broken = await createRuntime(loadConfig({ ...CONFIG, SANKSI_DATA_DIR: dir.path }), {
      clock,
      logger: pino({ level: 'silent' }),
    });
    await broken.close();
    const groupId = unique('group');
    const outcomes: RegistrationOutcome[] = [];
    const failing = new OssRegistrationConsumer(broken, {
      brokers: BROKERS,
      topic,
      dlqTopic,
      groupId,
      onOutcome: (o) => outcomes.push(o),
    });
    await produce([
      {
        value: JSON.stringify({
          pseId: 'paypal',
          registrationNumber: '006860.01/DJAI.PSE/08/2022',
          confirmedAt: wib('2022-08-03T10:00'),
        }),
        headers: { ce_id: 'oss-retry-1' },
      },
    ]);
    // when it fails on the message and is stopped
    await failing.start();
    try {
      await waitUntil('a failure', () => failing.status().lastError !== null);
    } finally {
      await failing.stop();
    }
    expect(outcomes).toEqual([]);
    // and a healthy consumer of the same group starts
    const healthy = consumer(outcomes, groupId);
    await healthy.start();
    try {
      await waitUntil('the message applied', () => outcomes.length >= 1);
    } finally {
      await healthy.stop();
    }
    // then the registration is applied once and nothing went to the DLQ
    expect(outcomes.map((o) => o.kind)).toEqual(['applied']);
    expect((await runtime.commands.load('paypal')).envelopes.at(-1)?.state.state).toBe('reRegistered');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(dlqTopic);
      expect(offsets.map((o) => o.high)).toEqual(['0']);
    } finally {
      await admin.disconnect();
    }
  });

  it('applies only what an allowed producer signed: unsigned, unknown key, tampered and replayed messages are dead-lettered', async () => {
    // given a blocked PayPal, and five confirmations of its registration, only the last signed properly
    await blockedPaypalAndWarnedValve();
    const body = (id: string) =>
      JSON.stringify({
        messageId: id,
        pseId: 'paypal',
        registrationNumber: '006860.01/DJAI.PSE/08/2022',
        confirmedAt: wib('2022-08-03T10:00'),
      });
    await produce([
      { value: body('forged-1'), signWith: null },
      { value: body('forged-2'), signWith: STRANGER },
      {
        // signed for one message id, sent under another (a replay posing as a new message)
        value: body('forged-3'),
        headers: { ce_id: 'oss-genuine-3' },
        tamper: (h) => {
          h['ce_id'] = 'oss-replayed-3';
        },
      },
      { value: body('forged-4'), signedAt: Date.now() - 10 * 60_000 },
      { value: body('genuine-5'), headers: { ce_id: 'oss-genuine-5' } },
    ]);
    // when consumed
    const outcomes: RegistrationOutcome[] = [];
    const c = consumer(outcomes);
    await c.start();
    try {
      await waitUntil('five outcomes', () => outcomes.length >= 5);
    } finally {
      await c.stop();
    }
    // then the four are parked with the reason, and only the signed one confirmed the registration
    expect(outcomes.map((o) => (o.kind === 'dead-letter' ? o.reason : o.kind))).toEqual([
      'unsigned',
      'unknown-key',
      'bad-signature',
      'signature-expired',
      'applied',
    ]);
    const confirmations = (await runtime.commands.load('paypal')).envelopes.filter(
      (e) => e.type === 'RegistrationConfirmed',
    );
    expect(confirmations.map((e) => e.commandId)).toEqual(['oss:oss-genuine-5']);
    const parked = await readAll(kafka, dlqTopic, 4);
    expect(parked.map((m) => header(m, 'x-dlq-reason'))).toEqual([
      'unsigned',
      'unknown-key',
      'bad-signature',
      'signature-expired',
    ]);
    expect(header(parked[1], 'x-dlq-detail')).toMatch(/"stranger" is not in SANKSI_OSS_PRODUCER_KEYS/);
    expect(header(parked[3], 'x-dlq-detail')).toMatch(/more than 300 s apart/);
    // the DLQ keeps the original headers (signature included) and the broker's append time
    expect(header(parked[2], 'sanksi-signature')).toMatch(/^v1;keyId=oss-test;sig=[0-9a-f]{64}$/);
    expect(Number(header(parked[0], 'x-dlq-appended-at'))).toBeGreaterThan(Date.now() - 120_000);
  });

  it('parks a message that fails the same way on every attempt after bounded retries, and its partition moves on', async () => {
    // given cases, and a read model whose case table is gone: every lookup by domain fails the same way
    await blockedPaypalAndWarnedValve();
    const db = new Database(path.join(dir.path, 'read-models.db'));
    try {
      db.exec('DROP TABLE case_summary');
    } finally {
      db.close();
    }
    await produce([
      {
        value: JSON.stringify({
          domain: 'steampowered.com',
          registrationNumber: '006861.01/DJAI.PSE/08/2022',
          confirmedAt: wib('2022-08-03T11:00'),
        }),
        headers: { ce_id: 'oss-by-domain' },
      },
      {
        value: JSON.stringify({
          pseId: 'paypal',
          registrationNumber: '006860.01/DJAI.PSE/08/2022',
          confirmedAt: wib('2022-08-03T10:00'),
        }),
        headers: { ce_id: 'oss-by-id' },
      },
    ]);
    // when consumed with three attempts per message
    const outcomes: RegistrationOutcome[] = [];
    const c = new OssRegistrationConsumer(runtime, {
      brokers: BROKERS,
      topic,
      dlqTopic,
      groupId: unique('group'),
      maxAttempts: 3,
      retryBackoff: { initialMs: 10, maxMs: 40 },
      onOutcome: (o) => outcomes.push(o),
    });
    await c.start();
    try {
      await waitUntil('two outcomes', () => outcomes.length >= 2);
    } finally {
      await c.stop();
    }
    // then the first is dead-lettered with the error after three attempts, and the next one applied
    expect(outcomes.map((o) => (o.kind === 'dead-letter' ? o.reason : o.kind))).toEqual([
      'handler-failed',
      'applied',
    ]);
    expect(c.status()).toMatchObject({ retries: 3, deadLettered: 1, applied: 1 });
    const [parked] = await readAll(kafka, dlqTopic, 1);
    expect(header(parked, 'x-dlq-reason')).toBe('handler-failed');
    expect(header(parked, 'x-dlq-attempts')).toBe('3');
    expect(header(parked, 'x-dlq-detail')).toMatch(/no such table: case_summary.*failed 3 time/);
    expect(header(parked, 'x-dlq-message-id')).toBe('oss-by-domain');
  });

  it('lists the DLQ and replays chosen letters idempotently: what can now apply applies once, a forged one stays refused', async () => {
    // given a registration for a domain no case has yet, and an unsigned one, both dead-lettered
    await blockedPaypalAndWarnedValve();
    const late = {
      value: JSON.stringify({
        domain: 'new-shop.example',
        registrationNumber: '006870.01/DJAI.PSE/08/2022',
        confirmedAt: wib('2022-08-03T13:00'),
      }),
      headers: { ce_id: 'oss-late-1' },
    };
    await produce([late, { value: late.value, headers: { ce_id: 'oss-forged-1' }, signWith: null }]);
    const outcomes: RegistrationOutcome[] = [];
    const c = consumer(outcomes);
    await c.start();
    try {
      await waitUntil('two outcomes', () => outcomes.length >= 2);
    } finally {
      await c.stop();
    }
    // when the DLQ is listed
    const letters = await readDeadLetters(kafka, dlqTopic);
    // then both letters are there with reasons, origin, original append time and their own headers only
    expect(letters.map((l) => [l.offset, l.reason, l.messageId, l.source])).toEqual([
      ['0', 'unknown-case', 'oss-late-1', `${topic}/0/0`],
      ['1', 'unsigned', 'oss-forged-1', `${topic}/0/1`],
    ]);
    expect(Object.keys(letters[0].headers).sort()).toEqual([
      'ce_id',
      'sanksi-signature',
      'sanksi-signature-timestamp',
    ]);
    expect(Number(letters[0].appendedAt)).toBeGreaterThan(Date.now() - 120_000);

    // when the case appears and both letters are replayed later than a 1 s window allows for a re-sent
    // message (the replay checks the signature against the original append time the DLQ kept)
    await runtime.commands.execute(
      {
        type: 'IdentifyPse',
        pseId: 'new-shop',
        name: 'new-shop',
        origin: 'foreign',
        domains: ['new-shop.example'],
        policy: 'kominfo-2022',
        company: null,
        sector: null,
      },
      { actor: OPERATOR },
    );
    await runtime.projector.runOnce();
    clock.set(wib('2022-08-03T14:00'));
    await new Promise((r) => setTimeout(r, 1500));
    const first = await replayDeadLetters(runtime, letters, { signatureWindowMs: 1000 });
    expect(first[0].outcome).toMatchObject({ kind: 'applied' });
    // then the late one applies, the forged one is still refused
    expect(first.map((r) => (r.outcome.kind === 'dead-letter' ? r.outcome.reason : r.outcome.kind))).toEqual([
      'applied',
      'unsigned',
    ]);
    const confirmed = (await runtime.commands.load('new-shop')).envelopes.filter(
      (e) => e.type === 'RegistrationConfirmed',
    );
    expect(confirmed.map((e) => e.commandId)).toEqual(['oss:oss-late-1']);
    // and a second replay changes nothing
    const head = await runtime.eventStore.headPosition();
    const second = await replayDeadLetters(runtime, letters);
    expect(second.map((r) => r.outcome.kind)).toEqual(['duplicate', 'dead-letter']);
    expect(await runtime.eventStore.headPosition()).toBe(head);
  });

  it('reports a missing broker and keeps retrying instead of failing', async () => {
    // given a broker address nothing listens on
    const port = await freePort();
    const c = new OssRegistrationConsumer(runtime, {
      brokers: `127.0.0.1:${port}`,
      topic,
      groupId: unique('nobroker'),
      backoff: { initialMs: 10, maxMs: 50 },
    });
    // when started
    await c.start();
    try {
      await waitUntil('two failed attempts', () => c.status().consecutiveFailures >= 2);
      // then it says it waits for the broker, with the error, and is not healthy
      expect(c.status()).toMatchObject({ state: 'waiting-for-broker', healthy: false });
      expect(c.status().lastError?.code).toBeTruthy();
    } finally {
      await c.stop();
    }
    expect(c.status().state).toBe('stopped');
  });
});
