import path from 'node:path';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { type PseCaseCommand, TransitionRefused, ValidationFailed } from '@sanksi/domain';
import { createEventStore, type EventStore } from '@sanksi/event-store';
import { caseStreamId } from '@sanksi/contracts';
import { ManualClock } from './clock';
import { IdempotencyKeyReused, VersionMismatch } from './case-command.errors';
import { CaseCommandService } from './case-command.service';
import { parseCommand } from './parsed-command';

const operator = { actor: { id: 'op-1', role: 'operator' as const } };

describe('CaseCommandService on a real SQLite file', () => {
  let dir: TemporaryDirectory;
  let store: EventStore;
  let clock: ManualClock;
  let service: CaseCommandService;
  let seq = 0;

  beforeEach(() => {
    dir = temporaryDirectory('sanksi-cmd');
    store = createEventStore({ kind: 'sqlite', file: path.join(dir.path, 'events.db') });
    clock = new ManualClock('2022-07-22T03:00:00Z');
    service = new CaseCommandService(store, {
      defaultPolicy: 'kominfo-2022',
      clock,
      ids: { next: () => `cmd-${++seq}` },
    });
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const identifyAs = (pseId: string, name: string, domain: string) =>
    service.execute(
      { type: 'IdentifyPse', pseId, name, origin: 'foreign', domains: [domain], company: null, sector: null },
      operator,
    );
  const identify = () => identifyAs('paypal', 'PayPal', 'paypal.com');

  it('given a new case, when identified and warned, then the events are stored and the version counts them', async () => {
    const first = await identify();
    expect(first).toMatchObject({ pseId: 'paypal', version: 1, state: 'unregistered', duplicate: false });
    const warned = await service.execute(
      { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-1/2022' },
      operator,
    );
    expect(warned).toMatchObject({ version: 2, state: 'warned', substate: null });
    const loaded = await service.load('paypal');
    expect(loaded.envelopes.map((e) => e.type)).toEqual(['PseIdentified', 'WarningIssued']);
    expect(loaded.envelopes[1].prevHash).toBe(loaded.envelopes[0].hash);
  });

  it('given an Idempotency-Key already used, when the command is retried, then nothing more is appended', async () => {
    await identify();
    const ctx = { ...operator, idempotencyKey: 'retry-me' };
    const cmd = { type: 'IssueWarning' as const, pseId: 'paypal', letterNumber: 'B-1/2022' };
    const once = await service.execute(cmd, ctx);
    const again = await service.execute(cmd, ctx);
    expect(again).toMatchObject({ version: once.version, duplicate: true, state: 'warned' });
    expect(again.events.map((e) => e.eventId)).toEqual(once.events.map((e) => e.eventId));
    expect((await service.load('paypal')).version).toBe(2);
  });

  it('given commands with and without an Idempotency-Key, then only the keyed one records what was asked (its digest)', async () => {
    await identify();
    await service.execute(
      { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-1/2022' },
      { ...operator, idempotencyKey: 'keyed' },
    );
    const loaded = await service.load('paypal');
    // The keyless opening's id is fresh: no other command can ever come with it, so nothing is kept to compare.
    expect([...loaded.digests.keys()]).toEqual(['keyed']);
    expect(loaded.digests.get('keyed')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('given an Idempotency-Key already used, when it comes with another body, then 422-style IdempotencyKeyReused and nothing is appended', async () => {
    await identify();
    const ctx = { ...operator, idempotencyKey: 'retry-me', idempotencyKeyAsSent: 'retry-me' };
    await service.execute({ type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-1/2022' }, ctx);
    const other = service.execute({ type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-2/2022' }, ctx);
    await expect(other).rejects.toBeInstanceOf(IdempotencyKeyReused);
    await expect(other).rejects.toMatchObject({ key: 'retry-me', pseId: 'paypal', command: 'IssueWarning' });
    // the same body at another business time is another command too
    const later = service.execute(
      { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-1/2022' },
      { ...ctx, occurredAt: '2022-07-22T10:00:00+07:00' },
    );
    await expect(later).rejects.toBeInstanceOf(IdempotencyKeyReused);
    expect((await service.load('paypal')).version).toBe(2);
  });

  it('given an Idempotency-Key used on one case, when it is sent for another case, then IdempotencyKeyReused names the first case', async () => {
    await identify();
    await identifyAs('steam', 'Steam', 'steampowered.com');
    const ctx = { ...operator, idempotencyKey: 'one-key', idempotencyKeyAsSent: 'one-key' };
    await service.execute({ type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-1/2022' }, ctx);
    const elsewhere = service.execute(
      { type: 'IssueWarning', pseId: 'steam', letterNumber: 'B-1/2022' },
      ctx,
    );
    await expect(elsewhere).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      pseId: 'paypal',
      key: 'one-key',
    });
    expect((await service.load('steam')).version).toBe(1);
  });

  it('given a key unique in its case only (simulate), then it appends once per case and a retry on either case appends nothing', async () => {
    await identify();
    await identifyAs('steam', 'Steam', 'steampowered.com');
    const ctx = { ...operator, idempotencyKey: 'step-1', idempotencyScope: 'case' as const };
    const warn = (pseId: string) =>
      service.execute({ type: 'IssueWarning', pseId, letterNumber: 'B-1/2022' }, ctx);
    const first = await warn('paypal');
    const second = await warn('steam');
    expect([first.duplicate, second.duplicate]).toEqual([false, false]);
    expect(await warn('paypal')).toMatchObject({ duplicate: true, version: first.version });
    expect(await warn('steam')).toMatchObject({ duplicate: true, version: second.version });
    expect([(await service.load('paypal')).version, (await service.load('steam')).version]).toEqual([2, 2]);
    // recorded for each case alone (store-wide, the second would have been refused): neither took the key
    // from the store, so neither costs an entry in its index of command ids (decision 0016)
    expect(await store.streamsOfCommand?.('step-1')).toEqual([]);
  });

  it('given one Idempotency-Key sent at once for commands on four cases through two processes, then exactly one lands and the others are refused naming its case', async () => {
    const second = createEventStore({ kind: 'sqlite', file: path.join(dir.path, 'events.db') });
    const otherService = new CaseCommandService(second, {
      defaultPolicy: 'kominfo-2022',
      clock,
      ids: { next: () => `other-${++seq}` },
    });
    try {
      const cases = ['a', 'b', 'c', 'd'];
      const ctx = { ...operator, idempotencyKey: 'shared', idempotencyKeyAsSent: 'shared' };
      const outcomes = await Promise.allSettled(
        cases.map((pseId, i) =>
          (i % 2 === 0 ? service : otherService).execute(
            {
              type: 'IdentifyPse',
              pseId,
              name: pseId.toUpperCase(),
              origin: 'domestic',
              domains: [`${pseId}.co.id`],
              company: null,
              sector: null,
            },
            ctx,
          ),
        ),
      );
      const landed = cases.filter((_, i) => outcomes[i].status === 'fulfilled');
      expect(landed).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(IdempotencyKeyReused);
          expect(outcome.reason).toMatchObject({ pseId: landed[0], key: 'shared', command: 'IdentifyPse' });
        }
      }
      for (const pseId of cases)
        expect(await store.streamExists(caseStreamId(pseId))).toBe(pseId === landed[0]);
    } finally {
      await second.close();
    }
  });

  it('given the same command id on two cases, then their event ids differ', async () => {
    await identify();
    await service.execute(
      {
        type: 'IdentifyPse',
        pseId: 'steam',
        name: 'Steam',
        origin: 'foreign',
        domains: ['steampowered.com'],
        company: null,
        sector: null,
      },
      operator,
    );
    const ids = new Set<string>();
    for (const pseId of ['paypal', 'steam']) {
      const seqBefore = seq;
      seq = 100; // both warnings get command id cmd-101
      const outcome = await service.execute(
        { type: 'IssueWarning', pseId, letterNumber: 'B-1/2022' },
        operator,
      );
      seq = Math.max(seq, seqBefore);
      expect(outcome.events[0].commandId).toBe('cmd-101');
      ids.add(outcome.events[0].eventId);
    }
    expect(ids.size).toBe(2);
  });

  it('given If-Match with a stale version, then 412-style VersionMismatch and nothing is appended', async () => {
    await identify();
    await expect(
      service.execute(
        { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-1/2022' },
        { ...operator, expectedVersion: 0 },
      ),
    ).rejects.toBeInstanceOf(VersionMismatch);
    expect((await service.load('paypal')).version).toBe(1);
  });

  it('given two operators racing on one case without If-Match, then both commands land in some order', async () => {
    await identify();
    const [a, b] = await Promise.allSettled([
      service.execute({ type: 'UpdatePseProfile', pseId: 'paypal', company: 'PayPal Pte. Ltd.' }, operator),
      service.execute({ type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-1/2022' }, operator),
    ]);
    expect([a.status, b.status]).toEqual(['fulfilled', 'fulfilled']);
    expect((await service.load('paypal')).version).toBe(3);
  });

  it('given a malformed command, then ValidationFailed names the fields and nothing is appended', async () => {
    await identify();
    const bad = {
      type: 'ImposeFine',
      pseId: 'paypal',
      decisionNumber: '',
      amountIdr: 1.5,
    } as unknown as PseCaseCommand;
    const error = await service.execute(bad, operator).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).issues.map((i) => i.path.join('.')).sort()).toEqual([
      'amountIdr',
      'decisionNumber',
    ]);
    expect((await service.load('paypal')).version).toBe(1);
  });

  it('given a command parsed once, when sent through executeParsed, then a retry of it through execute with the same key is its duplicate', async () => {
    await identify();
    const ctx = { ...operator, idempotencyKey: 'parsed-once' };
    const raw = { type: 'IssueWarning', pseId: 'paypal', letterNumber: '  B-1/2022  ' };
    const once = await service.executeParsed(parseCommand(raw), ctx);
    const again = await service.execute(raw as PseCaseCommand, ctx);
    expect(once).toMatchObject({ version: 2, duplicate: false, state: 'warned' });
    expect(again).toMatchObject({ version: 2, duplicate: true });
    expect(again.events.map((e) => e.eventId)).toEqual(once.events.map((e) => e.eventId));
    expect(() => parseCommand({ ...raw, letterNumber: '' })).toThrow(ValidationFailed);
    expect((await service.load('paypal')).version).toBe(2);
  });

  it('given a refused transition, then the refusal names the allowed commands and nothing is appended', async () => {
    await identify();
    const refused = await service
      .execute({ type: 'RestoreAccess', pseId: 'paypal', reason: 'no block' }, operator)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransitionRefused);
    expect((refused as TransitionRefused).allowed.length).toBeGreaterThan(0);
    expect((await service.load('paypal')).version).toBe(1);
  });
});

describe('CaseCommandService: the same command sent twice at once', () => {
  it('given two concurrent sends with one Idempotency-Key, then one append and both answers name the same events', async () => {
    const dir = temporaryDirectory('sanksi-dup');
    const store = createEventStore({ kind: 'sqlite', file: path.join(dir.path, 'events.db') });
    const service = new CaseCommandService(store, {
      defaultPolicy: 'kominfo-2022',
      clock: new ManualClock('2022-07-22T03:00:00Z'),
    });
    try {
      await service.execute(
        {
          type: 'IdentifyPse',
          pseId: 'twice',
          name: 'Twice',
          origin: 'domestic',
          domains: ['twice.id'],
          company: null,
          sector: null,
        },
        { ...operator, idempotencyKey: 'open' },
      );
      const ctx = { ...operator, idempotencyKey: 'warn-once' };
      const cmd = { type: 'IssueWarning' as const, pseId: 'twice', letterNumber: 'W-1' };
      const results = await Promise.all([
        service.execute(cmd, ctx),
        service.execute(cmd, ctx),
        service.execute(cmd, ctx),
      ]);
      expect(new Set(results.map((r) => r.events[0].eventId)).size).toBe(1);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect((await service.load('twice')).version).toBe(2);
    } finally {
      await store.close();
      dir.remove();
    }
  });
});
