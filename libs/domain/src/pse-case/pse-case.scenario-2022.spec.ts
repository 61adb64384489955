import { getPolicy } from '../policies';
import { identify, runCommands, wib } from './__fixtures__/pse-case.fixtures';
import { decide } from './pse-case.decider';
import { verifyChain } from '../history/verify-chain';

// The July–August 2022 story under kominfo-2022 (SPEC §1).
describe('scenario: the 2022 registration deadline', () => {
  it('PayPal: warned, blocked on 07-30, temporarily restored 07-31 08:00 to 08-05 23:59, registered 08-03', () => {
    // given a foreign system that missed the 2022-07-20 deadline
    const { events, snapshot } = runCommands([
      { command: identify('paypal', 'kominfo-2022', ['paypal.com']), at: '2022-07-18T09:00' },
      {
        command: { type: 'IssueWarning', pseId: 'paypal', letterNumber: 'B-1/DJAI/07/2022' },
        at: '2022-07-23T10:00',
      },
      {
        command: { type: 'ElapseDeadline', pseId: 'paypal', deadline: 'warningResponse' },
        at: '2022-07-30T00:00',
      },
      {
        command: { type: 'BlockAccess', pseId: 'paypal', orderNumber: 'ORD-7/2022' },
        at: '2022-07-30T06:00',
        role: 'system',
      },
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
    // then the warning gave 5 working days, the block listed the domain, the window lifted it, registration ended it
    const warning = events.find((e) => e.type === 'WarningIssued');
    expect(warning?.state.nextDeadline).toEqual({
      kind: 'warningResponse',
      dueAt: '2022-07-29T23:59:59+07:00',
      fineId: null,
    });
    const elapsed = events.find((e) => e.type === 'DeadlineElapsed');
    expect(elapsed?.state.escalation).toEqual({ pending: true, allowed: ['BlockAccess'] });
    const blocked = events.find((e) => e.type === 'AccessBlocked');
    expect(blocked?.state).toMatchObject({
      state: 'blocked',
      substate: 'enforced',
      onBlocklist: true,
      blocks: 1,
    });
    const restored = events.find((e) => e.type === 'AccessTemporarilyRestored');
    expect(restored?.state).toMatchObject({ substate: 'temporarilyRestored', onBlocklist: false });
    expect(events.slice(-2).map((e) => e.type)).toEqual(['RegistrationConfirmed', 'AccessRestored']);
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

  it('the warning deadline elapsing under kominfo-2022 asks for the block as outbound work', () => {
    // given a warned system
    const { snapshot } = runCommands([
      { command: identify('steam'), at: '2022-07-18T09:00' },
      { command: { type: 'IssueWarning', pseId: 'steam', letterNumber: 'B-2' }, at: '2022-07-23T10:00' },
    ]);
    // when its response deadline elapses
    const decision = decide(
      { type: 'ElapseDeadline', pseId: 'steam', deadline: 'warningResponse' },
      snapshot,
      getPolicy('kominfo-2022'),
      {
        commandId: 'd1',
        correlationId: 'd1',
        actor: { id: 'scheduler', role: 'system' },
        now: wib('2022-07-30T00:00'),
      },
    );
    // then the block is returned, not executed
    expect(decision.ok && decision.outbound).toEqual([
      { type: 'BlockAccess', pseId: 'steam', orderNumber: 'AUTO/steam/2' },
    ]);
    expect(decision.ok && decision.events[0].state.state).toBe('warned');
  });

  it('Valve and Yahoo: normalised on submission before their certificates (kominfo-2022)', () => {
    const { events } = runCommands([
      {
        command: identify('valve', undefined, ['steampowered.com', 'steamcommunity.com']),
        at: '2022-07-18T09:00',
      },
      { command: { type: 'IssueWarning', pseId: 'valve', letterNumber: 'B-3' }, at: '2022-07-23T10:00' },
      {
        command: { type: 'ElapseDeadline', pseId: 'valve', deadline: 'warningResponse' },
        at: '2022-07-30T00:00',
      },
      { command: { type: 'BlockAccess', pseId: 'valve', orderNumber: 'ORD-8' }, at: '2022-07-30T06:00' },
      { command: { type: 'SubmitRegistration', pseId: 'valve', channel: 'oss' }, at: '2022-08-02T12:00' },
    ]);
    expect(events.slice(-2).map((e) => [e.type, e.state.state, e.state.onBlocklist])).toEqual([
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
      { command: identify('xandr'), at: '2022-07-18T09:00' },
      { command: { type: 'IssueWarning', pseId: 'xandr', letterNumber: 'B-4' }, at: '2022-07-23T10:00' },
      {
        command: { type: 'ElapseDeadline', pseId: 'xandr', deadline: 'warningResponse' },
        at: '2022-07-30T00:00',
      },
      { command: { type: 'BlockAccess', pseId: 'xandr', orderNumber: 'ORD-9' }, at: '2022-07-30T06:00' },
      {
        command: { type: 'GrantExemption', pseId: 'xandr', reason: 'not obliged to register' },
        at: '2022-07-31T15:00',
      },
    ]);
    expect(events.slice(-2).map((e) => [e.type, e.state.state, e.state.onBlocklist])).toEqual([
      ['ExemptionGranted', 'exempted', false],
      ['AccessRestored', 'exempted', false],
    ]);
    expect(events[events.length - 1].state.since).toBe(wib('2022-07-31T15:00'));
  });
});
