import { getPolicy } from '../policies';
import { identify, runCommands, wib } from './__fixtures__/pse-case.fixtures';
import { ESCALATION_ACTOR } from './pse-case.allowed';
import { decide, DEADLINE_ACTOR } from './pse-case.decider';
import type { TransitionRefused } from './pse-case.errors';
import { verifyChain } from '../history/verify-chain';

const DUE = '2022-07-29T23:59:59+07:00';
const warned = (pseId: string, domains = [`${pseId}.com`]) => [
  { command: identify(pseId, 'kominfo-2022', domains), at: '2022-07-18T09:00' },
  {
    command: { type: 'IssueWarning' as const, pseId, letterNumber: `B-${pseId}/DJAI/07/2022` },
    at: '2022-07-23T10:00',
  },
];

// The July–August 2022 story under kominfo-2022 (docs/regulation.md §10), entered after the fact with
// each command at its real business time and no scheduler at all: business time decides.
describe('scenario: the 2022 registration deadline', () => {
  it('PayPal: warned 07-23, blocked by itself at the due instant, temporarily restored 07-31 08:00 to 08-05 23:59, registered 08-03', () => {
    // given a foreign system that missed the 2022-07-20 deadline and was warned on Saturday 23 July
    const { events, snapshot } = runCommands([
      ...warned('paypal', ['paypal.com']),
      // when the ministry restores access temporarily on Sunday 31 July 08:00, nobody having elapsed anything
      {
        command: {
          type: 'RestoreAccessTemporarily',
          pseId: 'paypal',
          until: wib('2022-08-05T23:59'),
          reason: 'users withdraw their funds',
        },
        at: '2022-07-31T08:00',
      },
      {
        command: {
          type: 'ConfirmRegistration',
          pseId: 'paypal',
          registrationNumber: '006860.01/DJAI.PSE/08/2022',
        },
        at: '2022-08-03T10:00',
      },
    ]);
    // then the warning gave 5 working days, to Friday 29 July 23:59:59 WIB
    const warning = events.find((e) => e.type === 'WarningIssued');
    expect(warning?.state.nextDeadline).toEqual({ kind: 'warningResponse', dueAt: DUE, fineId: null });
    // and the overdue elapse and its block came first in the restoration's append, dated at the due instant
    expect(events.map((e) => [e.type, e.occurredAt, e.actor.id])).toEqual([
      ['PseIdentified', wib('2022-07-18T09:00'), 'operator-1'],
      ['WarningIssued', wib('2022-07-23T10:00'), 'operator-1'],
      ['DeadlineElapsed', DUE, DEADLINE_ACTOR.id],
      ['AccessBlocked', DUE, ESCALATION_ACTOR.id],
      ['AccessTemporarilyRestored', wib('2022-07-31T08:00'), 'operator-1'],
      ['RegistrationConfirmed', wib('2022-08-03T10:00'), 'operator-1'],
      ['AccessRestored', wib('2022-08-03T10:00'), 'operator-1'],
    ]);
    const [elapsed, blocked] = [events[2], events[3]];
    expect(blocked.causationId).toBe(elapsed.eventId);
    expect(blocked.state).toMatchObject({
      state: 'blocked',
      substate: 'enforced',
      onBlocklist: true,
      blocks: 1,
      since: DUE,
    });
    expect(events[4].state).toMatchObject({ substate: 'temporarilyRestored', onBlocklist: false });
    expect(events[events.length - 1].state).toMatchObject({
      state: 'reRegistered',
      onBlocklist: false,
      registrationNumber: '006860.01/DJAI.PSE/08/2022',
      deadlines: [],
    });
    expect(snapshot.value).toBe('reRegistered');
    expect(verifyChain(events)).toEqual({
      ok: true,
      length: events.length,
      head: events[events.length - 1].hash,
    });
  });

  it('an operator’s block order dated 30 July is refused plainly: the block stands since the due instant', () => {
    const { snapshot } = runCommands(warned('paypal'));
    const decision = decide(
      { type: 'BlockAccess', pseId: 'paypal', orderNumber: 'ORD-7/2022' },
      snapshot,
      getPolicy('kominfo-2022'),
      {
        commandId: 'b1',
        correlationId: 'b1',
        actor: { id: 'op', role: 'operator' },
        now: wib('2022-07-30T00:00'),
      },
    );
    expect(decision.ok).toBe(false);
    const refused = (decision.ok ? null : decision.error) as TransitionRefused;
    expect(refused.state).toBe('blocked.enforced');
    expect(refused.reason).toBe(
      `already blocked (enforced) since ${DUE} by automatic escalation (the warningResponse deadline elapsed)`,
    );
    expect(refused.allowed).toEqual(
      expect.arrayContaining(['RestoreAccessTemporarily', 'SubmitRegistration']),
    );
    expect(refused.allowed).not.toContain('BlockAccess');
  });

  it('the warning deadline elapsing under kominfo-2022 blocks in the same append, dated at the due instant however late', () => {
    // given a warned system
    const { snapshot } = runCommands(warned('steam'));
    // when its deadline is elapsed years late (the scheduler was down)
    const decision = decide(
      { type: 'ElapseDeadline', pseId: 'steam', deadline: 'warningResponse' },
      snapshot,
      getPolicy('kominfo-2022'),
      { commandId: 'd1', correlationId: 'd1', actor: DEADLINE_ACTOR, now: '2026-12-02T09:00:00.000Z' },
    );
    // then the elapse and the automatic block both carry the due instant as business time
    if (!decision.ok) throw decision.error;
    expect(decision.events.map((e) => [e.type, e.occurredAt, e.recordedAt])).toEqual([
      ['DeadlineElapsed', DUE, '2026-12-02T09:00:00.000Z'],
      ['AccessBlocked', DUE, '2026-12-02T09:00:00.000Z'],
    ]);
    expect(decision.events[1].data).toEqual({ orderNumber: 'AUTO/steam/2', domains: ['steam.com'] });
    expect(decision.events[0].commandId).toBe('elapse:steam:warningResponse:-:2022-07-29T16:59:59.000Z');
    expect(decision.events[1].commandId).toBe(
      'elapse:steam:warningResponse:-:2022-07-29T16:59:59.000Z:escalate:0',
    );
  });

  it('Valve and Yahoo: normalised on submission before their certificates (kominfo-2022)', () => {
    const { events } = runCommands([
      ...warned('valve', ['steampowered.com', 'steamcommunity.com']),
      { command: { type: 'SubmitRegistration', pseId: 'valve', channel: 'oss' }, at: '2022-08-02T12:00' },
    ]);
    expect(events.slice(2).map((e) => [e.type, e.state.state, e.state.onBlocklist])).toEqual([
      ['DeadlineElapsed', 'warned', false],
      ['AccessBlocked', 'blocked', true],
      ['RegistrationSubmitted', 'registrationPending', false],
      ['AccessRestored', 'registrationPending', false],
    ]);
    expect(events[events.length - 1].data).toEqual({
      reason: 'Normalised on submission of registration',
      cause: 'submission',
    });
  });

  it('Xandr: exempted on 2022-07-31, closing the case and lifting its block', () => {
    const { events } = runCommands([
      ...warned('xandr'),
      {
        command: { type: 'GrantExemption', pseId: 'xandr', reason: 'not obliged to register' },
        at: '2022-07-31T15:00',
      },
    ]);
    expect(events.slice(2).map((e) => [e.type, e.state.state, e.state.onBlocklist])).toEqual([
      ['DeadlineElapsed', 'warned', false],
      ['AccessBlocked', 'blocked', true],
      ['ExemptionGranted', 'exempted', false],
      ['AccessRestored', 'exempted', false],
    ]);
    expect(events[events.length - 1].state.since).toBe(wib('2022-07-31T15:00'));
  });
});
