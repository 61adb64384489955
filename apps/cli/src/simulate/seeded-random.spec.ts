import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('given the same seed, then the same sequence; another seed, another sequence', () => {
    const take = (seed: number) =>
      Array.from(
        { length: 5 },
        (
          (r) => () =>
            r.next()
        )(new SeededRandom(seed)),
      );
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
  });

  it('given many draws, then ints stay within bounds and weights are respected', () => {
    const random = new SeededRandom(7);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) {
      const n = random.int(3, 5);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(5);
      counts[
        random.weighted([
          ['a', 9],
          ['b', 1],
        ] as const)
      ] += 1;
    }
    expect(counts.a).toBeGreaterThan(counts.b * 5);
  });
});
