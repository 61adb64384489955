/**
 * Reads in flight by what they ask, so that an identical read joins one not answered yet instead of running
 * again (docs/decisions/0020): many clients asking the same page of a common search at once wait for one
 * statement. Nothing is kept once a read is answered: the next identical read runs again.
 */
export class SharedReads<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  /**
   * The answer of the read `key` names: `start`'s, or, while one with the same key is unanswered, that one's
   * passed through `copy` when given (so that a joiner cannot change what the first asker holds, nor the
   * reverse; none where each asker builds its own from the answer). An undefined key (a read that cannot be
   * named exactly) always runs.
   */
  read(key: string | undefined, start: () => Promise<T>, copy?: (answer: T) => T): Promise<T> {
    if (key === undefined) return start();
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return copy === undefined ? pending : pending.then(copy);
    const answer = start();
    this.inFlight.set(key, answer);
    const settled = () => {
      if (this.inFlight.get(key) === answer) this.inFlight.delete(key);
    };
    answer.then(settled, settled);
    return answer;
  }
}

/**
 * What a read asks, as a key: its statement and parameters; undefined for parameters JSON cannot name exactly
 * (anything but strings, finite numbers, booleans and null), which are then never shared.
 */
export function readKey(sql: string, params: readonly unknown[]): string | undefined {
  const plain = params.every(
    (p) => p === null || typeof p === 'string' || typeof p === 'boolean' || Number.isFinite(p),
  );
  return plain ? `${JSON.stringify(params)}\u0000${sql}` : undefined;
}
