import path from 'node:path';
import { temporaryDirectory } from '@sanksi/testing';
import { eventBodySchema, eventJsonSchema } from '@sanksi/contracts';
import {
  decide,
  getPolicy,
  initialCaseSnapshot,
  type PseCaseCommand,
  type PseCaseEventEnvelope,
  type PseCaseSnapshot,
} from '@sanksi/domain';
import { SqliteEventStore, type EventToAppend } from '@sanksi/event-store';
import { createKafka, ensureTopics } from './kafka.client';
import { KafkaJsPublisher } from './kafkajs.publisher';
import { KafkaRelay } from './kafka-relay';
import { SqliteCheckpointStore } from './sqlite-checkpoint.store';
import { consumeUntil, deleteTestTopics, testBrokers, uniqueTopic } from './__fixtures__/kafka-test.helpers';

jest.setTimeout(60_000);

/** Real domain events of one case, as `decide` builds them. */
function caseHistory(pseId: string): PseCaseEventEnvelope[] {
  const commands: Array<[PseCaseCommand, string]> = [
    [
      {
        type: 'IdentifyPse',
        pseId,
        name: pseId,
        origin: 'foreign',
        domains: [`${pseId}.com`],
        company: null,
        sector: null,
      },
      '2022-07-18T09:00:00+07:00',
    ],
    [{ type: 'IssueWarning', pseId, letterNumber: 'B-1/DJAI/07/2022' }, '2022-07-23T10:00:00+07:00'],
    [{ type: 'ElapseDeadline', pseId, deadline: 'warningResponse' }, '2022-07-30T00:00:00+07:00'],
  ];
  let snapshot: PseCaseSnapshot = initialCaseSnapshot();
  const events: PseCaseEventEnvelope[] = [];
  for (const [i, [command, at]] of commands.entries()) {
    const decision = decide(command, snapshot, getPolicy('kominfo-2022'), {
      commandId: `c-${pseId}-${i}`,
      correlationId: `c-${pseId}-${i}`,
      actor:
        command.type === 'ElapseDeadline'
          ? { id: 'scheduler', role: 'system' }
          : { id: 'op-1', role: 'operator' },
      now: at,
      occurredAt: at,
    });
    if (!decision.ok) throw decision.error;
    events.push(...decision.events);
    snapshot = decision.snapshot;
  }
  return events;
}

/** The application's mapping (docs/internal-contracts.md): every other envelope field goes to metadata. */
function toAppend(envelope: PseCaseEventEnvelope): EventToAppend {
  const { eventId, type, data, schemaVersion, ...metadata } = envelope;
  return { eventId, type, data, schemaVersion, metadata };
}

describe('case-event messages against the published contract', () => {
  it('given real domain events, when relayed, then every body validates against its type schema and ce_dataschema names it', async () => {
    const dir = temporaryDirectory('sanksi-relay-contract');
    const kafka = createKafka(testBrokers(), { clientId: 'relay-contract-test' });
    const store = new SqliteEventStore({ file: path.join(dir.path, 'events.db') });
    const checkpoints = new SqliteCheckpointStore(path.join(dir.path, 'checkpoints.db'));
    const publisher = new KafkaJsPublisher(kafka);
    const topic = uniqueTopic('case-events-contract');
    try {
      const history = caseHistory('paypal');
      await store.appendToStream('pse-paypal', history.map(toAppend), { expectedRevision: 'no_stream' });
      await ensureTopics(kafka, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
      const relay = new KafkaRelay({ store, publisher, checkpoints, topic, pollIntervalMs: 20 });
      await relay.start();
      await relay.caughtUp();
      await relay.stop();

      const seen = await consumeUntil(kafka, topic, (s) => s.length >= history.length);

      expect(seen.map((m) => m.body.type)).toEqual(history.map((e) => e.type));
      for (const [i, message] of seen.entries()) {
        const type = history[i].type;
        const { position, ...envelope } = eventBodySchema(type).parse(
          message.body,
        ) as PseCaseEventEnvelope & {
          position: number;
        };
        expect(envelope).toEqual(history[i]);
        expect(position).toBeGreaterThan(0);
        expect(message.headers?.dataSchema).toBe(eventJsonSchema(type)['$id']);
        expect(message.headers).toMatchObject({
          id: history[i].eventId,
          subject: 'paypal',
          time: history[i].occurredAt,
        });
      }
    } finally {
      await deleteTestTopics(kafka);
      await publisher.close();
      await checkpoints.close();
      await store.close();
      dir.remove();
    }
  });
});
