import { getPolicy } from '../../policies';
import { hashEnvelope } from '../../history/hash';
import { identify, runCommands, warnedCase, wib } from '../__fixtures__/pse-case.fixtures';
import { decide } from '../pse-case.decider';
import type { TransitionRefused, ValidationFailed } from '../pse-case.errors';
import { PseCaseEventEnvelope } from '../pse-case.events';

// docs/regulation.md §12.7: every event carries business and record time, the actor, command, correlation and
// causation ids and the policy version; ids are deterministic, the chain is hashed.
describe('rule 7: metadata on every event', () => {
  const policy = getPolicy('kominfo-2022');

  it('stamps every envelope from the command metadata and parses as the published envelope', () => {
    const { snapshot } = runCommands([{ command: identify('x'), at: '2022-07-18T09:00' }]);
    const decision = decide({ type: 'IssueWarning', pseId: 'x', letterNumber: 'W-1' }, snapshot, policy, {
      commandId: 'c-42',
      correlationId: 'corr-7',
      causationId: 'cause-3',
      actor: { id: 'siti', role: 'operator' },
      now: '2022-07-25T03:00:00Z',
      occurredAt: wib('2022-07-23T10:00'),
    });
    if (!decision.ok) throw decision.error;
    const [event] = decision.events;
    expect(event).toMatchObject({
      type: 'WarningIssued',
      pseId: 'x',
      schemaVersion: 1,
      occurredAt: '2022-07-23T10:00:00+07:00',
      recordedAt: '2022-07-25T03:00:00Z',
      actor: { id: 'siti', role: 'operator' },
      commandId: 'c-42',
      correlationId: 'corr-7',
      causationId: 'cause-3',
      policyVersion: 'kominfo-2022',
      revision: 1,
    });
    expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.prevHash).toBe(snapshot.context.lastHash);
    expect(event.hash).toBe(hashEnvelope(event as unknown as Record<string, unknown>));
    expect(PseCaseEventEnvelope.parse(event)).toEqual(event);
  });

  it('is deterministic: the same command and metadata give the same envelopes', () => {
    const { snapshot } = runCommands([{ command: identify('x'), at: '2022-07-18T09:00' }]);
    const meta = {
      commandId: 'c',
      correlationId: 'c',
      actor: { id: 'a', role: 'operator' as const },
      now: wib('2022-07-23T10:00'),
    };
    const command = { type: 'IssueWarning' as const, pseId: 'x', letterNumber: 'W' };
    expect(decide(command, snapshot, policy, meta)).toEqual(decide(command, snapshot, policy, meta));
  });

  it('refuses business time that goes backwards within a case', () => {
    const { snapshot } = runCommands(warnedCase('x'));
    const decision = decide({ type: 'UpdatePseProfile', pseId: 'x', name: 'X' }, snapshot, policy, {
      commandId: 'c',
      correlationId: 'c',
      actor: { id: 'a', role: 'operator' },
      now: wib('2022-07-24T10:00'),
      occurredAt: wib('2022-07-22T10:00'),
    });
    expect(!decision.ok && (decision.error as TransitionRefused).reason).toContain('never goes backwards');
  });

  it('refuses business time more than 5 minutes in the future of now', () => {
    const { snapshot } = runCommands(warnedCase('x'));
    const decision = decide({ type: 'UpdatePseProfile', pseId: 'x', name: 'X' }, snapshot, policy, {
      commandId: 'c',
      correlationId: 'c',
      actor: { id: 'a', role: 'operator' },
      now: wib('2022-07-24T10:00'),
      occurredAt: wib('2022-07-24T10:06'),
    });
    expect(!decision.ok && (decision.error as ValidationFailed).issues[0].path).toEqual(['occurredAt']);
  });
});
