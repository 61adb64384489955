/** Deterministic ids for tests: `prefix-1`, `prefix-2`, … (tests never use random ids). */
export function idSequence(prefix: string): () => string {
  let next = 0;
  return () => `${prefix}-${(next += 1)}`;
}

/** A deterministic test clock over ISO instants with a fixed offset: `at('2022-07-30T10:00')`, `later(hours)`. */
export function testClock(start: string, offset = '+07:00') {
  let current = Date.parse(start.length === 16 ? `${start}:00${offset}` : start);
  const render = (ms: number) => {
    const sign = offset.startsWith('-') ? -1 : 1;
    const [h, m] = offset.slice(1).split(':').map(Number);
    const shifted = new Date(ms + sign * (h * 60 + m) * 60_000).toISOString().slice(0, 19);
    return `${shifted}${offset}`;
  };
  return {
    /** The current instant. */
    now: () => render(current),
    /** Moves to an absolute local time (`YYYY-MM-DDTHH:mm`) or instant and returns it. */
    at(local: string) {
      current = Date.parse(local.length === 16 ? `${local}:00${offset}` : local);
      return render(current);
    },
    /** Moves forward by hours and returns the new instant. */
    later(hours: number) {
      current += hours * 3_600_000;
      return render(current);
    },
  };
}
