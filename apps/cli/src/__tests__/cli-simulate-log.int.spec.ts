import { createRuntime, loadConfig } from '@sanksi/application';
import { PROJECTED_TABLES, projectedContentSql } from '@sanksi/read-models';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { runCli, tempDir } from './cli-process.fixture';

jest.setTimeout(300_000);

/**
 * The log of `simulate --systems 300 --seed 1 --until 2022-01-01` (policy pp43-2023: the stories alone, no
 * deadline elapsed after them) as the build before issue 10's bulk work wrote it (commit bf29242, the first 300 systems of its 10,000-system run; systems are independent):
 * every stored event by stream and revision — id, type, data and metadata, which carry business and record
 * times, the state after each event and the hash chain. A faster simulator must write exactly this.
 * Since decision 0013 each recorded state also carries the case's memory, which the hash links cover: the
 * log less the memory and the links is still byte for byte the one before (`beforeMemory`, computed alike
 * over the log of 6606ce2, whose whole log was `70a28563…`), and `sha256` pins the whole log as written now.
 */
const BEFORE = {
  events: 1428,
  sha256: 'cfbf4670af185d0812c6c080a2a2424628cdf911cfa5911fc457e81a7b6513c6',
  beforeMemory: '4f630e9c27cec80b39c98d9678afa8c1a1ef6e1bcc60e4dda8efc6915a7ab109',
};

/**
 * The log of the same run until now (the default): after each story the simulated scheduler elapses what it
 * left running and due, at its due instants — the stories above, then those elapses at the end of some streams.
 */
const UNTIL_NOW = {
  events: 1478,
  sha256: 'e62b984943ae86fa04c729fb10720823b236d6f0ca4f5f013d9c21e8c9de32d8',
  beforeMemory: '8411acd44f029bd17cc0fe468c423ddac7996754648d73d13a67a16c8f4d95bd',
};

/** Every stored event's columns by stream and revision. */
function storedRows(dir: string): Map<string, string> {
  const db = new Database(path.join(dir, 'events.db'), { readonly: true });
  try {
    const rows = db
      .prepare<
        [],
        { key: string; row: string }
      >(`SELECT stream_id || '#' || revision AS key, json_array(event_id, type, data, metadata) AS row FROM events`)
      .all();
    return new Map(rows.map((r) => [r.key, r.row]));
  } finally {
    db.close();
  }
}

/** The count and a digest of every stored event, by stream and revision (positions depend on interleaving). */
function digestOfLog(dir: string): { events: number; sha256: string; beforeMemory: string } {
  const db = new Database(path.join(dir, 'events.db'), { readonly: true });
  try {
    const hash = createHash('sha256');
    const beforeMemory = createHash('sha256');
    let events = 0;
    const rows = db
      .prepare<
        [],
        {
          stream_id: string;
          revision: number;
          event_id: string;
          type: string;
          data: string;
          metadata: string;
        }
      >('SELECT stream_id, revision, event_id, type, data, metadata FROM events ORDER BY stream_id, revision')
      .iterate();
    for (const r of rows) {
      hash.update(`${JSON.stringify([r.stream_id, r.revision, r.event_id, r.type, r.data, r.metadata])}\n`);
      const {
        hash: _hash,
        prevHash: _prevHash,
        ...metadata
      } = JSON.parse(r.metadata) as {
        hash: string;
        prevHash: string | null;
        state: { memory?: unknown };
      };
      delete metadata.state.memory;
      const older = JSON.stringify(metadata);
      beforeMemory.update(
        `${JSON.stringify([r.stream_id, r.revision, r.event_id, r.type, r.data, older])}\n`,
      );
      events += 1;
    }
    return { events, sha256: hash.digest('hex'), beforeMemory: beforeMemory.digest('hex') };
  } finally {
    db.close();
  }
}

/** Every projected table's content (an appended table's sums per key), each in the order of all its columns. */
function readModelRows(dir: string): Record<string, unknown[]> {
  const db = new Database(path.join(dir, 'read-models.db'), { readonly: true });
  try {
    return Object.fromEntries(
      PROJECTED_TABLES.map((table) => {
        const columns = db.pragma(`table_info(${table})`) as Array<{ name: string }>;
        const order = columns.map((_c, i) => i + 1).join(', ');
        return [table, db.prepare(`SELECT * FROM (${projectedContentSql(table)}) c ORDER BY ${order}`).all()];
      }),
    );
  } finally {
    db.close();
  }
}

describe('simulate writes the same log as before, event for event (the built process, embedded SQLite)', () => {
  const defaults = tempDir('simulate-log-defaults');
  const oneAtATime = tempDir('simulate-log-one');
  const stories = tempDir('simulate-log-stories');
  afterAll(() => {
    defaults.cleanup();
    oneAtATime.cleanup();
    stories.cleanup();
  });

  it('given seed 1 and 300 systems, when simulated with the default concurrency and one system at a time, then both logs are the fixture', () => {
    // when
    const args = ['simulate', '--systems', '300', '--seed', '1', '--json'];
    const run = runCli(args, { SANKSI_DATA_DIR: defaults.dir });
    const single = runCli([...args, '--concurrency', '1'], { SANKSI_DATA_DIR: oneAtATime.dir });
    const storiesOnly = runCli([...args, '--until', '2022-01-01'], { SANKSI_DATA_DIR: stories.dir });
    // then
    expect([run.code, single.code, storiesOnly.code]).toEqual([0, 0, 0]);
    expect(JSON.parse(run.stdout)).toMatchObject({
      systems: 300,
      casesCreated: 300,
      eventsAppended: UNTIL_NOW.events,
    });
    expect(JSON.parse(storiesOnly.stdout)).toMatchObject({ eventsAppended: BEFORE.events });
    expect(digestOfLog(stories.dir)).toEqual(BEFORE);
    expect(digestOfLog(defaults.dir)).toEqual(UNTIL_NOW);
    expect(digestOfLog(oneAtATime.dir)).toEqual(UNTIL_NOW);
  });

  it('then the log until now is the stories, each stream continued by elapses of deadlines due by now', () => {
    const story = storedRows(stories.dir);
    const whole = storedRows(defaults.dir);
    for (const [key, row] of story) expect({ key, row: whole.get(key) }).toEqual({ key, row });
    const added = [...whole].filter(([key]) => !story.has(key)).map(([, row]) => JSON.parse(row) as string[]);
    expect(added.length).toBe(UNTIL_NOW.events - BEFORE.events);
    // each an elapse by the scheduler or what the policy makes of it, dated at or after a due instant of 2022–23
    for (const [, , , metadata] of added) {
      const m = JSON.parse(metadata) as { actor: { id: string }; commandId: string; occurredAt: string };
      expect(m.actor.id).toBe('sanksi-scheduler');
      expect(m.commandId).toMatch(/^elapse:/);
      expect(Date.parse(m.occurredAt)).toBeLessThan(Date.parse('2024-01-01'));
    }
    // and none of the cases still has a deadline due by now
    const db = new Database(path.join(defaults.dir, 'read-models.db'), { readonly: true });
    try {
      const running = db.prepare<[], string>(`SELECT due_at FROM deadlines`).pluck().all();
      expect(running.filter((dueAt) => Date.parse(dueAt) <= Date.now())).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('given the stories alone, when simulated again until now, then only the elapses after them are appended and the log is the one until now', () => {
    // when
    const again = runCli(['simulate', '--systems', '300', '--seed', '1', '--json'], {
      SANKSI_DATA_DIR: stories.dir,
    });
    // then
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { casesAlreadyPresent: number; eventsAppended: number };
    expect(report).toMatchObject({
      casesAlreadyPresent: 300,
      eventsAppended: UNTIL_NOW.events - BEFORE.events,
    });
    expect(digestOfLog(stories.dir)).toEqual(UNTIL_NOW);
  });

  it('then its read models are projected to the head with every index and search trigger in place', () => {
    const status = runCli(['projections', 'status', '--json'], { SANKSI_DATA_DIR: defaults.dir });
    expect(JSON.parse(status.stdout)).toMatchObject({
      position: UNTIL_NOW.events,
      head: UNTIL_NOW.events,
      lag: 0,
    });
    const db = new Database(path.join(defaults.dir, 'read-models.db'), { readonly: true });
    try {
      const names = db
        .prepare<[], string>(`SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')`)
        .pluck()
        .all();
      expect(names).toEqual(
        expect.arrayContaining(['case_summary_by_name', 'registry_search_insert', 'case_search_update']),
      );
      expect(db.prepare(`SELECT count(*) FROM rebuild_deferred`).pluck().get()).toBe(0);
      const registered = db.prepare(`SELECT count(*) FROM registry`).pluck().get() as number;
      expect(registered).toBeGreaterThan(0);
      // Every register row is in its search index (rebuilt at the end of the replay).
      expect(
        db
          .prepare(`SELECT count(*) FROM registry_search WHERE registry_search MATCH '"DJA" AND "JAI"'`)
          .pluck()
          .get(),
      ).toBe(registered);
    } finally {
      db.close();
    }
  });

  it('then its read models, projected by a thread while the log was appended, are what a rebuild of the log makes', () => {
    // given
    const projected = readModelRows(defaults.dir);
    // when
    const rebuild = runCli(['projections', 'rebuild', '--json'], { SANKSI_DATA_DIR: defaults.dir });
    // then
    expect(rebuild.code).toBe(0);
    const rebuilt = readModelRows(defaults.dir);
    expect(projected.case_summary).toHaveLength(300);
    for (const table of PROJECTED_TABLES)
      expect({ table, rows: projected[table] }).toEqual({ table, rows: rebuilt[table] });
  });

  it('then `projections rebuild`, which projects in a thread of its own, makes what the projector makes in process', async () => {
    // given: the same log in a second directory, rebuilt there by this process's own projector
    const copy = tempDir('rebuild-in-process');
    try {
      for (const file of ['events.db', 'events.db-wal'])
        if (existsSync(path.join(defaults.dir, file)))
          copyFileSync(path.join(defaults.dir, file), path.join(copy.dir, file));
      const runtime = await createRuntime(loadConfig({ SANKSI_DATA_DIR: copy.dir }), {
        logger: pino({ level: 'silent' }),
      });
      try {
        expect((await runtime.projector.rebuild()).applied).toBe(UNTIL_NOW.events);
      } finally {
        await runtime.close();
      }
      // when
      const rebuild = runCli(['projections', 'rebuild', '--json'], { SANKSI_DATA_DIR: defaults.dir });
      // then
      expect(rebuild.code).toBe(0);
      expect(JSON.parse(rebuild.stdout)).toMatchObject({
        applied: UNTIL_NOW.events,
        projectedBy: 'this-command',
      });
      const inProcess = readModelRows(copy.dir);
      const inThread = readModelRows(defaults.dir);
      for (const table of PROJECTED_TABLES)
        expect({ table, rows: inThread[table] }).toEqual({ table, rows: inProcess[table] });
    } finally {
      copy.cleanup();
    }
  });
});
