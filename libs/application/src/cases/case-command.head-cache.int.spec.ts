import path from 'node:path';
import {
  canonicalJson,
  CaseAlreadyExists,
  DEADLINE_ACTOR,
  hashEnvelope,
  type PseCaseCommand,
  type PseCaseEventEnvelope,
  TransitionRefused,
  withoutMemory,
} from '@sanksi/domain';
import { createEventStore, type EventStore } from '@sanksi/event-store';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { ManualClock } from './clock';
import { type CommandContext, CaseCommandService } from './case-command.service';
import { toStoredEvent } from './case-stream';

// The case head cache (docs/benchmarks.md, "Command path"): a command is decided on the head this
// process remembers, and the store's expected-revision check is what proves the head right. These specs
// give it every way to be wrong — another writer ahead of it, a retry, a fact dated before automatic
// events — and check that the answers and the stored history are those of reading every case.

const operator: CommandContext = { actor: { id: 'op-1', role: 'operator' } };
const wib = (local: string) => `${local}:00+07:00`;

const identify = (pseId: string): PseCaseCommand => ({
  type: 'IdentifyPse',
  pseId,
  name: pseId,
  origin: 'foreign',
  domains: [`${pseId}.com`],
  company: null,
  sector: null,
  policy: 'kominfo-2022',
});

/** A real store whose stream reads are counted (to see when a command decided without reading). */
function countingReads(store: EventStore): {
  store: EventStore;
  reads: () => number;
  /** Each stream read: the whole stream, or its last event alone. */
  kinds: string[];
} {
  let reads = 0;
  const kinds: string[] = [];
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readStream') {
        return (...args: Parameters<EventStore['readStream']>) => {
          reads += 1;
          const options = args[1];
          kinds.push(options?.direction === 'backwards' && options.limit === 1 ? 'last event' : 'stream');
          return target.readStream(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: counted, reads: () => reads, kinds };
}

describe('CaseCommandService with its case head cache, on a real SQLite file', () => {
  let dir: TemporaryDirectory;
  const stores: EventStore[] = [];
  let seq = 0;

  const open = (name = 'events.db'): EventStore => {
    const store = createEventStore({ kind: 'sqlite', file: path.join(dir.path, name) });
    stores.push(store);
    return store;
  };
  const serviceOn = (store: EventStore, caseHeadCapacity?: number) =>
    new CaseCommandService(store, {
      defaultPolicy: 'kominfo-2022',
      clock: new ManualClock('2026-12-02T03:00:00Z'),
      ids: { next: () => `cmd-${++seq}` },
      ...(caseHeadCapacity === undefined ? {} : { caseHeadCapacity }),
    });

  beforeEach(() => {
    dir = temporaryDirectory('sanksi-head-cache');
    seq = 0;
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    dir.remove();
  });

  it('given a remembered case, when the next command comes, then it is decided without reading the stream', async () => {
    const { store, reads } = countingReads(open());
    const service = serviceOn(store);
    await service.execute(identify('paypal'), { ...operator, occurredAt: wib('2022-07-18T09:00') });
    const before = reads();
    const warned = await service.execute(
      { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'W-1' },
      { ...operator, occurredAt: wib('2022-07-23T10:00') },
    );
    expect(reads()).toBe(before);
    expect(warned).toMatchObject({ version: 2, state: 'warned', duplicate: false });
    const loaded = await service.load('paypal');
    expect(loaded.envelopes.map((e) => e.type)).toEqual(['PseIdentified', 'WarningIssued']);
    expect(loaded.envelopes[1].prevHash).toBe(loaded.envelopes[0].hash);
  });

  it('given another writer went ahead, when a command the stale head would accept comes, then it is decided on the case as stored', async () => {
    // given process A remembers paypal as just identified, and process B (same file) exempts it
    const file = open();
    const a = serviceOn(file);
    const b = serviceOn(open());
    await a.execute(identify('paypal'), { ...operator, occurredAt: wib('2022-07-18T09:00') });
    await b.execute(
      { type: 'GrantExemption', pseId: 'paypal', reason: 'not a PSE' },
      { ...operator, occurredAt: wib('2022-07-20T09:00') },
    );
    // when A warns it (its stale head would allow that)
    const warned = a
      .execute(
        { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'W-1' },
        { ...operator, occurredAt: wib('2022-07-23T10:00') },
      )
      .catch((e: unknown) => e);
    // then the store's revision check sends A back to the stream, and an exempted case is not warned
    expect(await warned).toBeInstanceOf(TransitionRefused);
    expect((await a.load('paypal')).envelopes.map((e) => e.type)).toEqual([
      'PseIdentified',
      'ExemptionGranted',
    ]);
  });

  it('given another writer went ahead, when a command the stale head would refuse comes, then it is accepted on the case as stored', async () => {
    // given A remembers paypal unregistered, and B records a submitted manual registration
    const a = serviceOn(open());
    const b = serviceOn(open());
    await a.execute(identify('paypal'), { ...operator, occurredAt: wib('2022-07-18T09:00') });
    await b.execute(
      { type: 'SubmitRegistration', pseId: 'paypal', channel: 'manual' },
      { ...operator, occurredAt: wib('2022-07-20T09:00') },
    );
    // when A rejects the registration (refused on its stale head: nothing pending there)
    const rejected = await a.execute(
      { type: 'RejectRegistration', pseId: 'paypal', reason: 'incomplete' },
      { ...operator, occurredAt: wib('2022-07-21T09:00') },
    );
    // then the refusal was checked against the stream, and the rejection lands after B's event
    expect(rejected).toMatchObject({ version: 3, duplicate: false });
    const loaded = await a.load('paypal');
    expect(loaded.envelopes.map((e) => e.type)).toEqual([
      'PseIdentified',
      'RegistrationSubmitted',
      'RegistrationRejected',
    ]);
    expect(loaded.envelopes[2].prevHash).toBe(loaded.envelopes[1].hash);
  });

  it('given a stale head, when If-Match names the version as stored, then the command is applied', async () => {
    const a = serviceOn(open());
    const b = serviceOn(open());
    await a.execute(identify('paypal'), { ...operator, occurredAt: wib('2022-07-18T09:00') });
    await b.execute(
      { type: 'UpdatePseProfile', pseId: 'paypal', company: 'PayPal Pte. Ltd.' },
      { ...operator, occurredAt: wib('2022-07-19T09:00') },
    );
    const outcome = await a.execute(
      { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'W-1' },
      { ...operator, occurredAt: wib('2022-07-23T10:00'), expectedVersion: 2 },
    );
    expect(outcome.version).toBe(3);
  });

  it('given a command applied through another process, when retried with its key through a stale one, then the first outcome comes back and nothing is appended', async () => {
    const a = serviceOn(open());
    const b = serviceOn(open());
    await a.execute(identify('paypal'), { ...operator, occurredAt: wib('2022-07-18T09:00') });
    const warn: PseCaseCommand = { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'W-1' };
    const context = { ...operator, occurredAt: wib('2022-07-23T10:00'), idempotencyKey: 'k-1' };
    const first = await b.execute(warn, context);
    const retried = await a.execute(warn, context);
    expect(retried).toMatchObject({ duplicate: true, version: first.version });
    expect(retried.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    // and once more through A, now remembering the key
    expect(await a.execute(warn, context)).toMatchObject({ duplicate: true, version: 2 });
    expect((await a.load('paypal')).version).toBe(2);
  });

  it('given a case exists, when another process that never saw it opens it again, then CaseAlreadyExists (with a key: the first outcome)', async () => {
    const a = serviceOn(open());
    const b = serviceOn(open());
    const context = { ...operator, occurredAt: wib('2022-07-18T09:00'), idempotencyKey: 'open-1' };
    const first = await a.execute(identify('paypal'), context);
    expect(await b.execute(identify('paypal'), context)).toMatchObject({
      duplicate: true,
      version: first.version,
    });
    await expect(
      b.execute(identify('paypal'), { ...operator, occurredAt: wib('2022-07-18T09:00') }),
    ).rejects.toBeInstanceOf(CaseAlreadyExists);
    expect((await b.load('paypal')).version).toBe(1);
  });

  it('given a capacity of 2, when three cases are used, then only the least recently used one is read again', async () => {
    const { store, reads } = countingReads(open());
    const service = serviceOn(store, 2);
    for (const pseId of ['a', 'b', 'c']) {
      await service.execute(identify(pseId), { ...operator, occurredAt: wib('2022-07-18T09:00') });
    }
    const warn = async (pseId: string) => {
      const before = reads();
      await service.execute(
        { type: 'IssueWarning', pseId, letterNumber: `W-${pseId}` },
        { ...operator, occurredAt: wib('2022-07-23T10:00') },
      );
      return reads() - before;
    };
    // c and b are remembered; a was evicted when c was opened
    expect(await warn('c')).toBe(0);
    expect(await warn('a')).toBe(1);
    // a's read evicted b (least recently used), c stays
    expect(await warn('c')).toBe(0);
    expect(await warn('b')).toBe(1);
  });

  it('given the scheduler ran ahead, when a fact dated before its automatic events comes, then they are retracted exactly as without the cache', async () => {
    // The same story told to a service with the cache and to one that reads every case (docs/regulation.md §9.5).
    const story: Array<[PseCaseCommand, CommandContext]> = [
      [identify('paypal'), { ...operator, occurredAt: wib('2022-07-18T09:00') }],
      [
        { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'W-1' },
        { ...operator, occurredAt: wib('2022-07-23T10:00') },
      ],
      [
        {
          type: 'RestoreAccessTemporarily',
          pseId: 'paypal',
          until: wib('2022-08-05T23:59'),
          reason: 'withdrawals',
        },
        { ...operator, occurredAt: wib('2022-07-31T08:00') },
      ],
      // the scheduler ends the window first ...
      [
        { type: 'ElapseDeadline', pseId: 'paypal', deadline: 'temporaryRestoration' },
        { actor: DEADLINE_ACTOR, occurredAt: wib('2022-08-05T23:59') },
      ],
      // ... then the registration dated 3 August arrives, then one more command on the rewound case
      [
        {
          type: 'ConfirmRegistration',
          pseId: 'paypal',
          registrationNumber: '006860.01/DJAI.PSE/08/2022',
        },
        { ...operator, occurredAt: wib('2022-08-03T10:00') },
      ],
      [
        { type: 'UpdatePseProfile', pseId: 'paypal', company: 'PayPal Pte. Ltd.' },
        { ...operator, occurredAt: wib('2022-08-10T10:00') },
      ],
    ];
    const tell = async (service: CaseCommandService) => {
      seq = 0;
      const outcomes = [];
      for (const [command, context] of story) outcomes.push(await service.execute(command, context));
      return { outcomes, stored: (await service.load('paypal')).envelopes };
    };
    const cached = await tell(serviceOn(open('cached.db')));
    const reading = await tell(serviceOn(open('reading.db'), 0));
    // and told to a new process for every command (each one a miss: decided from the case's last event)
    const { store: missing, kinds } = countingReads(open('missing.db'));
    seq = 0;
    const fresh = { outcomes: [] as unknown[], stored: [] as unknown[] };
    for (const [command, context] of story)
      fresh.outcomes.push(await serviceOn(missing).execute(command, context));
    fresh.stored = (await serviceOn(missing, 0).load('paypal')).envelopes;

    expect(cached.outcomes[4].events.map((e) => e.type)).toEqual([
      'ConsequencesRetracted',
      'RegistrationConfirmed',
      'AccessRestored',
    ]);
    expect(cached.outcomes[4].state).toBe('reRegistered');
    expect(cached.outcomes[5]).toMatchObject({ state: 'reRegistered', duplicate: false });
    // byte for byte the same history (same ids, clocks and hashes), and the same answers
    expect(canonicalJson(cached.stored)).toBe(canonicalJson(reading.stored));
    expect(canonicalJson(cached.outcomes)).toBe(canonicalJson(reading.outcomes));
    expect(canonicalJson(fresh.stored)).toBe(canonicalJson(reading.stored));
    expect(canonicalJson(fresh.outcomes)).toBe(canonicalJson(reading.outcomes));
    // the new processes read one event a command, and the whole stream only for the fact dated in the past
    // (a retraction needs the history) and for the final load
    expect(kinds).toEqual([
      'last event',
      'last event',
      'last event',
      'last event',
      'stream',
      'last event',
      'stream',
    ]);
  });

  it('given a case whose last event was recorded before states carried their memory, when a process that never saw it sends a command, then the stream is folded and the answer is the same', async () => {
    // given a history whose states carry no memory (re-sealed, so the hash chain holds), stored as such
    const reading = serviceOn(open('recorded.db'), 0);
    await reading.execute(identify('paypal'), { ...operator, occurredAt: wib('2022-07-18T09:00') });
    await reading.execute(
      { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'W-1' },
      { ...operator, occurredAt: wib('2022-07-23T10:00') },
    );
    let prevHash: string | null = null;
    const older = (await reading.load('paypal')).envelopes.map((e) => {
      const sealed = { ...e, prevHash, state: withoutMemory(e.state), hash: '' };
      sealed.hash = hashEnvelope(sealed as unknown as Record<string, unknown>);
      prevHash = sealed.hash;
      return sealed as PseCaseEventEnvelope;
    });
    expect(older.every((e) => e.state.memory === undefined)).toBe(true);
    const { store, kinds } = countingReads(open('older.db'));
    await store.appendToStream(
      'pse-paypal',
      older.map((e) => toStoredEvent(e)),
      { expectedRevision: 'no_stream' },
    );
    // when a new process updates its profile before the warning's deadline
    const updated = await serviceOn(store).execute(
      { type: 'UpdatePseProfile', pseId: 'paypal', company: 'PayPal Pte. Ltd.' },
      { ...operator, occurredAt: wib('2022-07-25T10:00') },
    );
    // then the last event gave no head, the stream was folded, and the update lands on the history as stored
    expect(kinds).toEqual(['last event', 'stream']);
    expect(updated).toMatchObject({ version: 3, state: 'warned', duplicate: false });
    const stored = (await serviceOn(store, 0).load('paypal')).envelopes;
    expect(stored[2].prevHash).toBe(older[1].hash);
    expect(stored.slice(2).every((e) => e.state.memory !== undefined)).toBe(true);
  });
});
