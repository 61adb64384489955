import { getPolicy } from '../policies';
import { identify, wib } from './__fixtures__/pse-case.fixtures';
import { ENGINE_ACTOR } from './pse-case.actors';
import type { CommandMetadata, PseCaseCommand } from './pse-case.commands';
import { decide, decideOnHistory, needsHistory, type Decision } from './pse-case.decider';
import { TransitionRefused } from './pse-case.errors';
import { eventIdFor } from './pse-case.envelope';
import type { PseCaseEventEnvelope } from './pse-case.events';
import { foldCase } from './pse-case.fold';

// decideOnHistory (docs/regulation.md §9.5): a fact dated before automatic events already recorded
// retracts them — they followed from what was known then — in the same append as the fact's own events;
// a fact dated before an operator's recorded event is still refused.
const kominfo = getPolicy('kominfo-2022');
let seq = 0;

function meta(occurredAt: string, now = '2026-12-02T09:00:00.000Z'): CommandMetadata {
  seq += 1;
  return {
    commandId: `h-${seq}`,
    correlationId: `corr-${seq}`,
    actor: { id: 'siti', role: 'operator' },
    now,
    occurredAt,
  };
}

function ok(decision: Decision): PseCaseEventEnvelope[] {
  if (!decision.ok) throw decision.error;
  return decision.events;
}

function record(history: PseCaseEventEnvelope[], command: PseCaseCommand, at: string) {
  return [...history, ...ok(decideOnHistory(command, history, kominfo, meta(wib(at))))];
}

// Warned 23 July; a profile update on 25 July; the scheduler then elapsed the warning at its due instant
// (29 July 23:59:59) and the block followed automatically.
function aheadOfLateFacts(): PseCaseEventEnvelope[] {
  let h: PseCaseEventEnvelope[] = [];
  h = record(h, identify('k', 'kominfo-2022'), '2022-07-18T09:00');
  h = record(h, { type: 'IssueWarning', pseId: 'k', letterNumber: 'W-1' }, '2022-07-23T10:00');
  h = record(h, { type: 'UpdatePseProfile', pseId: 'k', name: 'K' }, '2022-07-25T09:00');
  return [
    ...h,
    ...ok(
      decideOnHistory(
        { type: 'ElapseDeadline', pseId: 'k', deadline: 'warningResponse' },
        h,
        kominfo,
        meta('2022-07-29T23:59:59+07:00'),
      ),
    ),
  ];
}

const submit: PseCaseCommand = { type: 'SubmitRegistration', pseId: 'k', channel: 'oss' };

describe('decideOnHistory', () => {
  it('given no history, then it decides as decide does', () => {
    const m = meta(wib('2022-07-18T09:00'));
    expect(decideOnHistory(identify('n'), [], kominfo, m)).toEqual(
      decide(identify('n'), undefined, kominfo, m),
    );
  });

  it('given automatic events after a late fact, then a marker retracts them first, by the engine', () => {
    const h = aheadOfLateFacts();
    expect(h.map((e) => e.type).slice(-2)).toEqual(['DeadlineElapsed', 'AccessBlocked']);
    const m = meta(wib('2022-07-26T09:00'), '2026-12-02T10:00:00.000Z');
    const [marker, submitted, ...rest] = ok(decideOnHistory(submit, h, kominfo, m));
    expect(rest).toEqual([]);
    expect(marker).toMatchObject({
      eventId: eventIdFor('k', `${m.commandId}:retract`, 0),
      type: 'ConsequencesRetracted',
      data: {
        toRevision: 2,
        retracted: [h[3].eventId, h[4].eventId],
        reason:
          'SubmitRegistration dated 2022-07-26T09:00:00+07:00 was recorded after automatic events dated later',
      },
      actor: ENGINE_ACTOR,
      commandId: `${m.commandId}:retract`,
      correlationId: m.correlationId,
      causationId: null,
      occurredAt: '2022-07-26T09:00:00+07:00',
      recordedAt: '2026-12-02T10:00:00.000Z',
      policyVersion: 'kominfo-2022',
      revision: 5,
      prevHash: h[4].hash,
      state: { state: 'warned', onBlocklist: false },
    });
    expect(submitted).toMatchObject({
      eventId: eventIdFor('k', m.commandId, 0),
      type: 'RegistrationSubmitted',
      revision: 6,
      prevHash: marker.hash,
      state: { state: 'registrationPending', deadlines: [] },
    });
    const after = foldCase([...h, marker, submitted]);
    expect(after.context).toMatchObject({ retractions: 1, lastOccurredAt: '2022-07-26T09:00:00+07:00' });
  });

  it('given a late fact at the very instant of the last operator event, then only what came after is retracted', () => {
    const h = aheadOfLateFacts();
    const [marker] = ok(decideOnHistory(submit, h, kominfo, meta(wib('2022-07-25T09:00'))));
    expect(marker).toMatchObject({ type: 'ConsequencesRetracted', data: { toRevision: 2 } });
  });

  it('given a late fact before an operator event and automatic ones, then it is refused and nothing is retracted', () => {
    const h = aheadOfLateFacts();
    const decision = decideOnHistory(submit, h, kominfo, meta(wib('2022-07-24T09:00')));
    expect(decision.ok).toBe(false);
    expect(decision.ok ? null : decision.error).toBeInstanceOf(TransitionRefused);
    expect(decision.ok ? '' : (decision.error as TransitionRefused).reason).toBe(
      "business time never goes backwards within a case: 2022-07-24T09:00:00+07:00 is before the last event's 2022-07-29T23:59:59+07:00",
    );
  });

  it('given a retraction, when the late fact itself is refused, then nothing is appended', () => {
    const h = aheadOfLateFacts();
    const decision = decideOnHistory(
      { type: 'RejectRegistration', pseId: 'k', reason: 'nothing pending' },
      h,
      kominfo,
      meta(wib('2022-07-26T09:00')),
    );
    expect(decision.ok).toBe(false);
    expect(decision.ok ? null : decision.error).toMatchObject({
      state: 'warned',
      reason: 'RejectRegistration is not possible in state warned (since 2022-07-23T10:00:00+07:00)',
    });
  });

  it('given a retraction, then the snapshot it returns is the fold of the history and its events', () => {
    // The command path keeps the returned snapshot for the next command: it must count the retraction, or
    // a re-derived elapse would take the retracted one's id.
    const h = aheadOfLateFacts();
    const decision = decideOnHistory(submit, h, kominfo, meta(wib('2022-07-26T09:00')));
    if (!decision.ok) throw decision.error;
    expect(decision.snapshot.context.retractions).toBe(1);
    expect(decision.snapshot.context).toEqual(foldCase([...h, ...decision.events]).context);
  });

  it('given a fact dated before the case was identified, then it is refused even when only automatic events follow', () => {
    // Identified 18 July, warned 23 July; the scheduler elapsed the warning and blocked. Nothing can be
    // retracted back to before the case existed.
    let h: PseCaseEventEnvelope[] = [];
    h = record(h, identify('b', 'kominfo-2022'), '2022-07-18T09:00');
    h = record(h, { type: 'IssueWarning', pseId: 'b', letterNumber: 'W-1' }, '2022-07-23T10:00');
    h = [
      ...h,
      ...ok(
        decideOnHistory(
          { type: 'ElapseDeadline', pseId: 'b', deadline: 'warningResponse' },
          h,
          kominfo,
          meta('2022-07-29T23:59:59+07:00'),
        ),
      ),
    ];
    const decision = decideOnHistory(
      { type: 'SubmitRegistration', pseId: 'b', channel: 'oss' },
      h,
      kominfo,
      meta(wib('2022-07-17T09:00')),
    );
    expect(
      decision.ok ? decision.events.map((e) => e.type) : (decision.error as TransitionRefused).reason,
    ).toBe(
      "business time never goes backwards within a case: 2022-07-17T09:00:00+07:00 is before the last event's 2022-07-29T23:59:59+07:00",
    );
  });

  it('given an in-order fact, then nothing is retracted', () => {
    const h = aheadOfLateFacts();
    const events = ok(decideOnHistory(submit, h, kominfo, meta(wib('2022-07-30T09:00'))));
    expect(events.map((e) => e.type)).toEqual(['RegistrationSubmitted', 'AccessRestored']);
  });

  it('given the scheduler’s elapse dated before the last event, then it never retracts', () => {
    const h = aheadOfLateFacts();
    const decision = decideOnHistory(
      { type: 'ElapseDeadline', pseId: 'k', deadline: 'warningResponse' },
      h,
      kominfo,
      meta('2022-07-26T00:00:00+07:00'),
    );
    expect(decision.ok).toBe(false);
    expect(decision.ok ? '' : (decision.error as TransitionRefused).reason).toBe(
      'no warningResponse deadline is running',
    );
  });
});

describe('needsHistory (when the command path may decide on a snapshot alone)', () => {
  const elapse: PseCaseCommand = { type: 'ElapseDeadline', pseId: 'k', deadline: 'warningResponse' };

  it('given a fact dated before the last event, then the history is needed, and at or after it, not', () => {
    const snapshot = foldCase(aheadOfLateFacts());
    expect(needsHistory(submit, snapshot, meta(wib('2022-07-26T09:00')))).toBe(true);
    expect(needsHistory(submit, snapshot, meta('2022-07-29T23:59:59+07:00'))).toBe(false);
    expect(needsHistory(submit, snapshot, meta(wib('2022-07-30T09:00')))).toBe(false);
  });

  it('given no business time, then the record time stands for it', () => {
    const snapshot = foldCase(aheadOfLateFacts());
    expect(needsHistory(submit, snapshot, { now: '2022-07-26T02:00:00.000Z' })).toBe(true);
    expect(needsHistory(submit, snapshot, { now: '2026-12-02T09:00:00.000Z' })).toBe(false);
  });

  it('given a new case or the scheduler’s elapse, then never', () => {
    expect(needsHistory(identify('n'), undefined, meta(wib('2022-07-18T09:00')))).toBe(false);
    expect(needsHistory(elapse, foldCase(aheadOfLateFacts()), meta(wib('2022-07-20T09:00')))).toBe(false);
  });

  it('given the fold passed in, then the decision is the one decideOnHistory folds for itself', () => {
    const h = aheadOfLateFacts();
    for (const at of ['2022-07-26T09:00', '2022-07-30T09:00', '2022-07-24T09:00']) {
      const m = meta(wib(at));
      expect(decideOnHistory(submit, h, kominfo, m, foldCase(h))).toEqual(
        decideOnHistory(submit, h, kominfo, m),
      );
    }
  });
});
