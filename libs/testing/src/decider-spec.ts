/** A decider as the helper sees it: initial state, a fold step and a decision that succeeds or refuses. */
export interface DeciderUnderTest<Command, Event, State, Failure> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => { ok: true; events: Event[] } | { ok: false; error: Failure };
}

/** What `when` produced: the new events, or the refusal, and the state after the given history. */
export type DecisionOutcome<Event, State, Failure> =
  | { ok: true; events: Event[]; stateBefore: State; stateAfter: State }
  | { ok: false; error: Failure; stateBefore: State };

/** Raised when a test's premise does not hold (a `given` command refused, or an unexpected outcome). */
export class ScenarioError extends Error {
  readonly code = 'SCENARIO_ERROR';
  constructor(
    message: string,
    readonly detail: unknown,
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** The second half of a given/when/then: assert on the outcome. */
export interface Then<Event, State, Failure> {
  /** The outcome itself, for custom assertions. */
  outcome: DecisionOutcome<Event, State, Failure>;
  /** Asserts success and hands the new events (and resulting state) to `check`; returns the events. */
  then(check?: (events: Event[], stateAfter: State) => void): Event[];
  /** Asserts a refusal and hands it to `check`; returns the refusal. */
  thenRefused(check?: (error: Failure) => void): Failure;
}

/** The middle of a given/when/then: a history to decide against. */
export interface Given<Command, Event, State, Failure> {
  state: State;
  events: Event[];
  when(command: Command): Then<Event, State, Failure>;
  /** Extends the history with the events of further (successful) commands. */
  andCommands(commands: Command[]): Given<Command, Event, State, Failure>;
}

/**
 * Given/when/then for any decider (Emmett-style): generic, so a domain's specs bring their own
 * decide/evolve/initial state and this lib depends on no domain.
 */
export function deciderSpec<Command, Event, State, Failure>(
  decider: DeciderUnderTest<Command, Event, State, Failure>,
) {
  const fromState = (state: State, events: Event[]): Given<Command, Event, State, Failure> => ({
    state,
    events,
    when(command) {
      const result = decider.decide(command, state);
      const outcome: DecisionOutcome<Event, State, Failure> = result.ok
        ? {
            ok: true,
            events: result.events,
            stateBefore: state,
            stateAfter: result.events.reduce(decider.evolve, state),
          }
        : { ok: false, error: result.error, stateBefore: state };
      return {
        outcome,
        then(check) {
          if (!outcome.ok)
            throw new ScenarioError('Expected the command to succeed, but it was refused', outcome.error);
          check?.(outcome.events, outcome.stateAfter);
          return outcome.events;
        },
        thenRefused(check) {
          if (outcome.ok)
            throw new ScenarioError('Expected a refusal, but the command produced events', outcome.events);
          check?.(outcome.error);
          return outcome.error;
        },
      };
    },
    andCommands(commands) {
      let current = state;
      const all = [...events];
      for (const command of commands) {
        const result = decider.decide(command, current);
        if (!result.ok)
          throw new ScenarioError('A given command was refused', { command, error: result.error });
        current = result.events.reduce(decider.evolve, current);
        all.push(...result.events);
      }
      return fromState(current, all);
    },
  });
  return {
    /** Starts from recorded events. */
    given(events: Event[]): Given<Command, Event, State, Failure> {
      return fromState(events.reduce(decider.evolve, decider.initialState()), [...events]);
    },
    /** Starts from the events that these commands produce, each of which must succeed. */
    givenCommands(commands: Command[]): Given<Command, Event, State, Failure> {
      return fromState(decider.initialState(), []).andCommands(commands);
    },
  };
}
