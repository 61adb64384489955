import Database from 'better-sqlite3';
import path from 'node:path';
import { runCli, tempDir } from './cli-process.fixture';

jest.setTimeout(300_000);

describe('verify and what-if on worker threads (the built process, embedded SQLite)', () => {
  const { dir, cleanup } = tempDir('workers');
  const env = () => ({ SANKSI_DATA_DIR: dir });
  afterAll(() => cleanup());

  beforeAll(() => {
    const simulated = runCli(['simulate', '--systems', '300', '--seed', '7', '--json'], env());
    expect(simulated.code).toBe(0);
    expect(JSON.parse(simulated.stdout).casesCreated).toBe(300);
  });

  it('given a simulated population, when verified with 1 and 2 workers, then the same JSON', () => {
    const one = runCli(['verify', '--json', '--workers', '1'], env());
    const threaded = runCli(['verify', '--json', '--workers', '2'], env());
    expect(one.code).toBe(0);
    expect(threaded.code).toBe(0);
    const report = JSON.parse(one.stdout);
    expect(report).toMatchObject({ ok: true, cases: 300, divergences: [] });
    expect(report.events).toBeGreaterThan(300);
    expect(JSON.parse(threaded.stdout)).toEqual(report);
    expect(threaded.stdout).toBe(one.stdout);
  });

  it('given a simulated population, when asking what-if with 1, 2 and 3 workers, then the same reports and counts in the same order', () => {
    // A fixed --until: the default (now) would differ from one run to the next.
    const whatIf = ['what-if', '--policy', 'mr5-literal', '--until', '2023-06-30'];
    const runs = ['1', '2', '3'].map((w) => runCli([...whatIf, '--json', '--workers', w], env()));
    for (const run of runs) expect(run.code).toBe(0);
    const first = JSON.parse(runs[0].stdout);
    expect(first).toMatchObject({ until: '2023-06-30T23:59:59+07:00', cases: 300 });
    expect(first.differing).toBeGreaterThan(0);
    expect(first.reports).toHaveLength(first.differing);
    // The counts cover every case, not only the differing ones, on both sides.
    const total = (side: Record<string, number>) => Object.values(side).reduce((x, y) => x + y, 0);
    expect([total(first.counts.recorded), total(first.counts.alternative)]).toEqual([300, 300]);
    expect(Object.keys(first.counts.alternative)).toEqual(Object.keys(first.counts.recorded));
    expect(first.counts.alternative.fined ?? 0).toBe(0);
    for (const run of runs.slice(1)) expect(run.stdout).toBe(runs[0].stdout);
    // Written as the threads list the reports, the document is byte for byte JSON.stringify's of itself.
    const { policy, until, reports, cases, differing, counts } = first;
    expect(runs[0].stdout).toBe(
      `${JSON.stringify({ policy, until, reports, cases, differing, counts }, null, 2)}\n`,
    );
    // With --limit only the first reports are kept (memory at a million cases), the count stays whole.
    const limited = runCli([...whatIf, '--json', '--limit', '3', '--workers', '2'], env());
    expect(JSON.parse(limited.stdout)).toEqual({ ...first, reports: first.reports.slice(0, 3) });
    const text = ['1', '2'].map((w) => runCli([...whatIf, '--limit', '5', '--workers', w], env()).stdout);
    expect(text[1]).toBe(text[0]);
    expect(text[0]).toContain(
      `What if under mr5-literal until 2023-06-30T23:59:59+07:00: ${first.differing} of 300 case(s) would differ`,
    );
    expect(text[0]).toMatch(/\ntotal\s+300\s+300\n$/);
  });

  it('given bad --workers values, then exit 2 naming the option, for verify and what-if', () => {
    for (const bad of ['0', 'two', '1.5', '257']) {
      const verify = runCli(['verify', '--workers', bad], env());
      expect(verify.code).toBe(2);
      expect(verify.stderr).toContain('--workers');
      const whatIf = runCli(['what-if', '--policy', 'mr5-literal', '--workers', bad], env());
      expect(whatIf.code).toBe(2);
      expect(whatIf.stderr).toContain('--workers');
    }
  });

  it('given events altered in two cases, when verified with 1 and 2 workers, then both are found in log order by each', () => {
    const db = new Database(path.join(dir, 'events.db'));
    let altered: string[];
    try {
      // The last event of two cases far apart in the log, so they land in different chunks.
      const streams = db
        .prepare(
          `SELECT stream_id, MIN(position) AS first FROM events WHERE stream_id LIKE 'pse-%' GROUP BY stream_id ORDER BY first`,
        )
        .all() as Array<{ stream_id: string }>;
      altered = [streams[250].stream_id, streams[10].stream_id];
      for (const stream of altered) {
        const changed = db
          .prepare(
            `UPDATE events SET data = json_set(data, '$.tampered', 1)
             WHERE position = (SELECT MAX(position) FROM events WHERE stream_id = ?)`,
          )
          .run(stream);
        expect(changed.changes).toBe(1);
      }
    } finally {
      db.close();
    }
    const threaded = runCli(['verify', '--json', '--workers', '2'], env());
    const one = runCli(['verify', '--json', '--workers', '1'], env());
    expect(threaded.code).toBe(1);
    expect(one.code).toBe(1);
    const report = JSON.parse(threaded.stdout);
    expect(report.ok).toBe(false);
    expect(report.divergences.map((d: { pseId: string }) => `pse-${d.pseId}`)).toEqual([
      altered[1],
      altered[0],
    ]);
    for (const d of report.divergences) expect(d.problem).toBe('chain');
    expect(threaded.stdout).toBe(one.stdout);
    const text = runCli(['verify', '--workers', '2'], env());
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('DIVERGENCE in 2 of 300 case(s)');
  });
});
