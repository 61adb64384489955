import type { Statechart } from '../api/sanksi-api';
import { nextEvents, stateId, takenTransitions, visitedStates } from './statechart-path';

const chart: Statechart = {
  initial: 'absent',
  states: [
    { id: 'absent', key: 'absent', parent: null, initial: null },
    { id: 'unregistered', key: 'unregistered', parent: null, initial: null },
    { id: 'warned', key: 'warned', parent: null, initial: null },
    { id: 'blocked', key: 'blocked', parent: null, initial: 'blocked.enforced' },
    { id: 'blocked.enforced', key: 'enforced', parent: 'blocked', initial: null },
    { id: 'blocked.temporarilyRestored', key: 'temporarilyRestored', parent: 'blocked', initial: null },
  ],
  transitions: [
    { source: 'absent', target: 'unregistered', event: 'PseIdentified', guards: [] },
    { source: 'unregistered', target: 'warned', event: 'WarningIssued', guards: ['warnFromUnregistered'] },
    { source: 'warned', target: 'blocked', event: 'AccessBlocked', guards: ['blockFromWarned'] },
    {
      source: 'blocked.enforced',
      target: 'blocked.temporarilyRestored',
      event: 'AccessTemporarilyRestored',
      guards: [],
    },
    { source: 'blocked.temporarilyRestored', target: 'blocked.enforced', event: 'AccessBlocked', guards: [] },
    { source: 'blocked', target: 'unregistered', event: 'AccessRestored', guards: ['restoredByOperator'] },
  ],
  shared: [{ event: 'PolicyMigrated', guards: ['identified'] }],
  guards: {},
};

const paypal = [
  { from: 'absent', to: 'unregistered', eventType: 'PseIdentified' },
  { from: 'unregistered', to: 'warned', eventType: 'WarningIssued' },
  { from: 'warned', to: 'warned', eventType: 'DeadlineElapsed' },
  { from: 'warned', to: 'blocked.enforced', eventType: 'AccessBlocked' },
  { from: 'blocked.enforced', to: 'blocked.temporarilyRestored', eventType: 'AccessTemporarilyRestored' },
  { from: 'blocked.temporarilyRestored', to: 'blocked.enforced', eventType: 'AccessBlocked' },
];

describe('the path a case took over the statechart', () => {
  it('given PayPal’s steps, then each is drawn on the transition that holds both its ends, the innermost first', () => {
    expect([...takenTransitions(chart, paypal)].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('given a step no transition explains (an event that stays put), then nothing is drawn for it', () => {
    expect([...takenTransitions(chart, [paypal[2]])]).toEqual([]);
  });

  it('given the steps, then the visited states include the compound state around a substate', () => {
    expect([...visitedStates(paypal)].sort()).toEqual(
      [
        'absent',
        'blocked',
        'blocked.enforced',
        'blocked.temporarilyRestored',
        'unregistered',
        'warned',
      ].sort(),
    );
  });

  it('given a substate, then the next events are its own, its parent’s and the shared ones, once each', () => {
    expect(nextEvents(chart, stateId('blocked', 'temporarilyRestored'))).toEqual([
      'AccessBlocked',
      'AccessRestored',
      'PolicyMigrated',
    ]);
    expect(nextEvents(chart, stateId('warned'))).toEqual(['AccessBlocked', 'PolicyMigrated']);
    expect(stateId(null)).toBe('absent');
  });
});
