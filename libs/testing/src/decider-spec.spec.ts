import { deciderSpec, ScenarioError } from './decider-spec';
import { idSequence, testClock } from './sequence';

// A counter decider: the smallest domain that exercises every path of the helper.
type Command = { type: 'add'; n: number };
type Event = { type: 'added'; n: number };
const counter = deciderSpec<Command, Event, number, { code: string }>({
  initialState: () => 0,
  evolve: (total, e) => total + e.n,
  decide: (c, total) =>
    total + c.n > 10
      ? { ok: false, error: { code: 'TOO_MUCH' } }
      : { ok: true, events: [{ type: 'added', n: c.n }] },
});

describe('deciderSpec', () => {
  it('given events, when a command succeeds, then hands over the events and the state after', () => {
    const events = counter
      .given([{ type: 'added', n: 2 }])
      .when({ type: 'add', n: 3 })
      .then((_events, after) => expect(after).toBe(5));
    expect(events).toEqual([{ type: 'added', n: 3 }]);
  });

  it('given commands, when a command is refused, then hands over the refusal', () => {
    const error = counter
      .givenCommands([{ type: 'add', n: 9 }])
      .when({ type: 'add', n: 2 })
      .thenRefused();
    expect(error).toEqual({ code: 'TOO_MUCH' });
  });

  it('fails the test when the outcome is not the expected one', () => {
    expect(() => counter.given([]).when({ type: 'add', n: 11 }).then()).toThrow(ScenarioError);
    expect(() => counter.given([]).when({ type: 'add', n: 1 }).thenRefused()).toThrow(ScenarioError);
    expect(() => counter.givenCommands([{ type: 'add', n: 11 }])).toThrow('A given command was refused');
  });

  it('keeps the history of chained given commands', () => {
    const given = counter.givenCommands([{ type: 'add', n: 1 }]).andCommands([{ type: 'add', n: 4 }]);
    expect(given.state).toBe(5);
    expect(given.events).toHaveLength(2);
  });
});

describe('test sequences', () => {
  it('numbers ids deterministically', () => {
    const next = idSequence('cmd');
    expect([next(), next()]).toEqual(['cmd-1', 'cmd-2']);
  });

  it('renders a local clock in its offset', () => {
    const clock = testClock('2022-07-30T10:00');
    expect(clock.now()).toBe('2022-07-30T10:00:00+07:00');
    expect(clock.later(15)).toBe('2022-07-31T01:00:00+07:00');
    expect(clock.at('2022-08-03T09:30')).toBe('2022-08-03T09:30:00+07:00');
  });
});
