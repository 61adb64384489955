import { deterministicUuid, hashEnvelope } from '../history/hash';
import { identify, runCommands, warnedCase } from './__fixtures__/pse-case.fixtures';
import { draftEnvelope, eventIdFor, sealEnvelope, type EventMetadata } from './pse-case.envelope';
import { toStateAfter, type PseCaseSnapshot } from './pse-case.fold';

// Envelopes (docs/regulation.md §12.7): ids derived from the case and the command, the policy version the
// event was decided under, the revision and hash link after the snapshot it extends.
const metadata: EventMetadata = {
  commandId: 'cmd-7',
  correlationId: 'corr-7',
  causationId: 'cause-7',
  actor: { id: 'siti', role: 'operator' },
  now: '2022-07-25T03:00:00.000Z',
  occurredAt: '2022-07-23T10:00:00+07:00',
};

describe('eventIdFor', () => {
  it('given a case, a command and an index, then derives the id from all three', () => {
    expect(eventIdFor('paypal', 'cmd-7', 0)).toBe(deterministicUuid('paypal/cmd-7#0'));
    expect(eventIdFor('paypal', 'cmd-7', 1)).toBe(deterministicUuid('paypal/cmd-7#1'));
  });

  it('given the same command id on two cases, then their event ids differ', () => {
    expect(eventIdFor('paypal', 'cmd-7', 0)).not.toBe(eventIdFor('valve', 'cmd-7', 0));
  });
});

describe('draftEnvelope', () => {
  // Built in each test, not at describe level: mutation testing counts coverage only while a test runs.
  let snapshot: PseCaseSnapshot;
  beforeEach(() => {
    snapshot = runCommands(warnedCase('x')).snapshot;
  });

  it('given a warned case, when drafting an event, then stamps it from the metadata on top of the snapshot', () => {
    const draft = draftEnvelope(
      { type: 'RegistrationRejected', data: { reason: 'incomplete' } },
      snapshot,
      'x',
      { ...metadata, actor: { id: 'siti', role: 'operator', extra: 'dropped' } as EventMetadata['actor'] },
      eventIdFor('x', 'cmd-7', 2),
      'kominfo-2022',
    );
    expect(draft).toEqual({
      eventId: eventIdFor('x', 'cmd-7', 2),
      type: 'RegistrationRejected',
      data: { reason: 'incomplete' },
      pseId: 'x',
      schemaVersion: 1,
      occurredAt: '2022-07-23T10:00:00+07:00',
      recordedAt: '2022-07-25T03:00:00.000Z',
      actor: { id: 'siti', role: 'operator' },
      commandId: 'cmd-7',
      correlationId: 'corr-7',
      causationId: 'cause-7',
      policyVersion: 'kominfo-2022',
      revision: snapshot.context.revision + 1,
      state: null,
      prevHash: snapshot.context.lastHash,
      hash: '',
    });
    expect(draft.revision).toBe(2);
  });

  it('when the event migrates the policy, then it carries the policy migrated to', () => {
    const draft = draftEnvelope(
      { type: 'PolicyMigrated', data: { from: 'kominfo-2022', to: 'pp43-2023', reason: 'PP 43/2023' } },
      snapshot,
      'x',
      metadata,
      eventIdFor('x', 'cmd-7', 0),
      'kominfo-2022',
    );
    expect(draft.policyVersion).toBe('pp43-2023');
  });

  it('when the event identifies the case, then it carries the policy the case is identified under', () => {
    const { snapshot: absent } = runCommands([]);
    const draft = draftEnvelope(
      {
        type: 'PseIdentified',
        data: {
          name: 'y',
          origin: 'foreign',
          domains: ['y.com'],
          company: null,
          sector: null,
          policy: 'mr5-literal',
        },
      },
      absent,
      'y',
      metadata,
      eventIdFor('y', 'cmd-7', 0),
      'kominfo-2022',
    );
    expect(draft).toMatchObject({ policyVersion: 'mr5-literal', revision: 0, prevHash: null });
  });
});

describe('sealEnvelope', () => {
  it('given a drafted event, then adds the state it led to and a hash over both', () => {
    const { events, snapshot } = runCommands([{ command: identify('z'), at: '2022-07-18T09:00' }]);
    const draft = draftEnvelope(
      { type: 'ExemptionGranted', data: { reason: 'not a PSE' } },
      snapshot,
      'z',
      metadata,
      eventIdFor('z', 'cmd-7', 0),
      'kominfo-2022',
    );
    const state = toStateAfter(snapshot);
    const sealed = sealEnvelope(draft, state);
    expect(sealed.state).toEqual(state);
    expect(sealed.hash).toBe(hashEnvelope({ ...draft, state } as unknown as Record<string, unknown>));
    expect(sealed.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(sealed.prevHash).toBe(events[0].hash);
    expect(draft.hash).toBe('');
  });
});
