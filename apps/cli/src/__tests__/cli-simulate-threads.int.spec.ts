import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './cli-process.fixture';

jest.setTimeout(300_000);

/** Every stored event by stream and revision (not by position: threads interleave differently). */
function eventsByStream(dir: string): unknown[] {
  const db = new Database(path.join(dir, 'events.db'), { readonly: true });
  try {
    return db
      .prepare(
        'SELECT stream_id, revision, event_id, type, data, metadata FROM events ORDER BY stream_id, revision',
      )
      .all();
  } finally {
    db.close();
  }
}

/** Every stored event in the log's order: what two runs of one thread count must agree on. */
function eventsByPosition(dir: string): unknown[] {
  const db = new Database(path.join(dir, 'events.db'), { readonly: true });
  try {
    return db
      .prepare('SELECT position, stream_id, revision, event_id, data, metadata FROM events ORDER BY position')
      .all();
  } finally {
    db.close();
  }
}

describe('simulate on worker threads (the built process, embedded SQLite)', () => {
  const one = tempDir('simulate-one');
  const two = tempDir('simulate-two');
  afterAll(() => {
    one.cleanup();
    two.cleanup();
  });

  it('given the same seed, when simulated on 1 and on 3 threads, then the same report, the same streams event for event, and it verifies', () => {
    // when
    const args = ['simulate', '--systems', '300', '--seed', '11', '--json'];
    const single = runCli([...args, '--threads', '1'], { SANKSI_DATA_DIR: one.dir });
    const threaded = runCli([...args, '--threads', '3'], { SANKSI_DATA_DIR: two.dir });
    // then
    expect(single.code).toBe(0);
    expect(threaded.code).toBe(0);
    const report = JSON.parse(single.stdout);
    expect(report).toMatchObject({ systems: 300, casesCreated: 300 });
    expect(threaded.stdout).toBe(single.stdout);
    const stored = eventsByStream(two.dir);
    expect(stored).toHaveLength(report.eventsAppended);
    expect(stored).toEqual(eventsByStream(one.dir));
    const verified = runCli(['verify', '--json'], { SANKSI_DATA_DIR: two.dir });
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, cases: 300 });
  });

  it('given the same seed, when simulated on 2 threads and then with the default threads, then the same log position for position (2 by default, committing in turn)', () => {
    // given
    const again = tempDir('simulate-two-again');
    const first = tempDir('simulate-two-first');
    try {
      const args = ['simulate', '--systems', '2000', '--seed', '5', '--json'];
      // when
      const a = runCli([...args, '--threads', '2'], { SANKSI_DATA_DIR: first.dir });
      const b = runCli(args, { SANKSI_DATA_DIR: again.dir });
      // then
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      const log = eventsByPosition(first.dir);
      expect(log.length).toBe(JSON.parse(a.stdout).eventsAppended);
      expect(eventsByPosition(again.dir)).toEqual(log);
    } finally {
      again.cleanup();
      first.cleanup();
    }
  });

  it("given the simulation thread's young generation at V8's default (0), then the same streams; given a bad one, then exit 3 naming it and nothing simulated", () => {
    // given
    const usual = tempDir('simulate-young-usual');
    const atDefault = tempDir('simulate-young-0');
    const refused = tempDir('simulate-young-bad');
    try {
      const args = ['simulate', '--systems', '300', '--seed', '11', '--json'];
      // when
      const sized = runCli(args, { SANKSI_DATA_DIR: usual.dir });
      const zero = runCli(args, { SANKSI_DATA_DIR: atDefault.dir, SANKSI_SIMULATE_YOUNG_MB: '0' });
      const bad = runCli(args, { SANKSI_DATA_DIR: refused.dir, SANKSI_SIMULATE_YOUNG_MB: 'big' });
      // then
      expect(sized.code).toBe(0);
      expect(zero.code).toBe(0);
      expect(zero.stdout).toBe(sized.stdout);
      expect(eventsByStream(atDefault.dir)).toEqual(eventsByStream(usual.dir));
      expect(bad.code).toBe(3);
      expect(bad.stderr).toContain('SANKSI_SIMULATE_YOUNG_MB');
      expect(existsSync(path.join(refused.dir, 'events.db'))).toBe(false);
    } finally {
      usual.cleanup();
      atDefault.cleanup();
      refused.cleanup();
    }
  });

  it('given --until later than now or not a time, then exit 2 naming the option and what it takes, and nothing written', () => {
    const refused = tempDir('simulate-until-bad');
    try {
      const args = ['simulate', '--systems', '3', '--until'];
      const later = runCli([...args, '2999-01-01'], { SANKSI_DATA_DIR: refused.dir });
      const garbage = runCli([...args, 'soon'], { SANKSI_DATA_DIR: refused.dir });
      expect([later.code, garbage.code]).toEqual([2, 2]);
      expect(later.stderr).toContain('--until: 2999-01-01T23:59:59+07:00 is later than now');
      expect(garbage.stderr).toContain('--until: must be an ISO-8601 instant with offset');
      expect(existsSync(path.join(refused.dir, 'events.db'))).toBe(false);
    } finally {
      refused.cleanup();
    }
  });

  it('given a bad --threads, then exit 2 naming the option', () => {
    const bad = runCli(['simulate', '--systems', '3', '--threads', '0'], { SANKSI_DATA_DIR: one.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threads');
  });
});
