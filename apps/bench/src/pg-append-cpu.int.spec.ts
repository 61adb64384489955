import { measureAppendCpu } from './pg-append-cpu';

describe('pg-append-cpu on a real PostgreSQL server', () => {
  it('given every variant, when measured for a short run, then each wrote its appends and has server CPU beside raw', async () => {
    const results = await measureAppendCpu(20, 2);

    expect(results.map((r) => r.name)).toEqual([
      'raw INSERT',
      'append_event (the store)',
      'one_statement',
      'simple_expressions',
      'insert_only',
      'one statement, no function',
    ]);
    for (const r of results) expect(r.microsPerCall).toBeGreaterThan(0);
    expect(results[0].rawOverThis).toBe(1);
  }, 60_000);
});
