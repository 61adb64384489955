import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as testing from '@sanksi/testing';
import {
  CASE_STATES,
  type CaseState,
  type ReadModelEvent,
  toReadModelEvent,
} from '../events/read-model-event';
import { type OpenedBackend, readModelBackends } from '../testing/read-model-backends.harness';
import { julyAugust2022, lateRecords2022 } from '../testing/scenario.fixture';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(120_000);

const REGISTRY_CSV = path.resolve(
  __dirname,
  '../../../../apps/cli/assets/pse-registry/snapshot-latest.csv.gz',
);

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF or LF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

const literal = (v: string | null): string => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);

/** The real register (11,946 systems of 2022-11-29) as registry rows, in INSERT statements of 500. */
function realRegistryInserts(): string[] {
  const [header, ...rows] = parseCsv(gunzipSync(readFileSync(REGISTRY_CSV)).toString('utf8'));
  const col = (name: string) => (header as string[]).indexOf(name);
  const values = rows
    .filter((r) => r.length === header?.length)
    .map((r) => {
      const v = (name: string) => r[col(name)] ?? '';
      const registered = /^\d{4}-\d{2}-\d{2}$/.test(v('registered_on')) ? v('registered_on') : '2022-01-01';
      return `(${[
        `sys-${v('system_id')}`,
        v('registration_number'),
        v('name'),
        v('company') || null,
        v('sector') || null,
        v('origin') === 'LOKAL' ? 'domestic' : 'foreign',
        JSON.stringify(v('website') ? [v('website')] : []),
        'active',
        `${registered}T00:00:00.000Z`,
        `${registered}T00:00:00.000Z`,
      ]
        .map(literal)
        .join(', ')})`;
    });
  const statements: string[] = [];
  for (let i = 0; i < values.length; i += 500)
    statements.push(
      `INSERT INTO registry (pse_id, registration_number, name, company, sector, origin, domains, status, registered_at, updated_at) VALUES ${values.slice(i, i + 500).join(', ')}`,
    );
  return statements;
}

/** The register's search as it was before the trigram index: a LIKE scan of every row, by name. */
async function scannedRegistry(db: OpenedBackend, q: string): Promise<string[]> {
  const p = literal(
    `%${q
      .trim()
      .toLowerCase()
      .replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
  );
  const rows = await db.sql(
    `SELECT pse_id FROM registry WHERE (lower(name) LIKE ${p} ESCAPE '\\' OR lower(coalesce(company, '')) LIKE ${p} ESCAPE '\\'` +
      ` OR lower(domains) LIKE ${p} ESCAPE '\\' OR lower(registration_number) LIKE ${p} ESCAPE '\\') ORDER BY name, pse_id`,
  );
  return rows.map((r) => String(r.pse_id));
}

/** Every page of the store's registry search, followed by cursor. */
async function pagedRegistry(db: OpenedBackend, q: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await db.store.getRegistry({ q, limit, cursor });
    ids.push(...page.items.map((r) => r.pseId));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
}

/** The plain reading of "cases per state now": each case in the state its last event (by revision) led to. */
function lastStates(events: readonly ReadModelEvent[]): Record<CaseState, number> {
  const last = new Map<string, { revision: number; state: CaseState }>();
  for (const e of events) {
    const seen = last.get(e.pseId);
    if (!seen || e.revision > seen.revision)
      last.set(e.pseId, { revision: e.revision, state: e.state.state });
  }
  const counts = Object.fromEntries(CASE_STATES.map((s) => [s, 0])) as Record<CaseState, number>;
  for (const { state } of last.values()) counts[state] += 1;
  return counts;
}

describe.each(readModelBackends(testing).all)('queries at scale on $name', (backend) => {
  let db: OpenedBackend;
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  async function applyAll(events: readonly ReadModelEvent[], batchSize = 5): Promise<void> {
    let position = await db.store.getCheckpoint();
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      const last = batch[batch.length - 1] as ReadModelEvent;
      await db.store.applyBatch(batch, { expectedPosition: position, toPosition: last.position });
      position = last.position;
    }
  }

  describe('given the real register of 2022 in the registry table', () => {
    beforeEach(async () => {
      await db.store.migrate();
      for (const statement of realRegistryInserts()) await db.execute(statement);
    });

    it('then every search finds exactly what the LIKE scan found, in the same order, whole or page by page', async () => {
      const queries = [
        'shop',
        'SHOP',
        ' Toko ',
        'tbk',
        '.co.id',
        'djai.pse/04',
        // in every row's certificate number: more candidates than the trigram path takes, so a scan in name order
        'DJAI',
        'www.',
        'pt',
        'a',
        'go',
        '%',
        '_',
        '\\',
        "'",
        '"',
        'e"s',
        'indonesia',
        'Ü',
        'no such system anywhere',
      ];
      let found = 0;
      for (const q of queries) {
        const scanned = await scannedRegistry(db, q);
        found += scanned.length;
        expect({ q, ids: await pagedRegistry(db, q, 1000) }).toEqual({ q, ids: scanned });
      }
      expect(found).toBeGreaterThan(1000);
      const shops = await scannedRegistry(db, 'shop');
      expect(shops.length).toBeGreaterThan(20);
      expect(await pagedRegistry(db, 'shop', 7)).toEqual(shops);
    });

    it('then the search follows rows as they change and go', async () => {
      const [first] = await scannedRegistry(db, 'shop');
      await db.execute(`UPDATE registry SET name = 'Renamed Warung Qwzx' WHERE pse_id = '${first}'`);
      expect(await pagedRegistry(db, 'qwzx', 50)).toEqual([first]);
      expect(await pagedRegistry(db, 'shop', 1000)).toEqual(await scannedRegistry(db, 'shop'));
      await db.execute(`DELETE FROM registry WHERE pse_id = '${first}'`);
      expect(await pagedRegistry(db, 'qwzx', 50)).toEqual([]);
    });

    it('given a database migrated before the index existed, then migrating builds it from the rows already there', async () => {
      const before = await scannedRegistry(db, 'shop');
      await db.execute(
        backend.name === 'sqlite'
          ? `DROP TRIGGER registry_search_insert; DROP TRIGGER registry_search_delete; DROP TRIGGER registry_search_update;
             DROP TABLE registry_search; DROP TABLE timeline_bounds; DELETE FROM read_model_migrations WHERE version = 6`
          : `DROP INDEX registry_search_0, registry_search_1, registry_search_2, registry_search_3;
             DROP TABLE timeline_bounds; DELETE FROM read_model_migrations WHERE version = 6`,
      );
      const reopened = db.reopen();
      expect((await reopened.getRegistry({ q: 'shop', limit: 1000 })).items.map((r) => r.pseId)).toEqual(
        before,
      );
    });
  });

  describe('given the July–August 2022 population projected in batches', () => {
    let events: ReadModelEvent[];
    beforeEach(async () => {
      events = julyAugust2022().events.map(toReadModelEvent);
      await applyAll(events);
    });

    it('then counts as of any time after the last event are the current states, as the plain reading gives them', async () => {
      const now = lastStates(events);
      for (const [asOf, knownAt] of [
        ['2099-12-31', undefined],
        ['2026-12-02T09:00:00+07:00', undefined],
        ['2099-12-31', '2099-12-31'],
      ] as const) {
        const counts = await db.store.getStateCounts(asOf, knownAt ? { knownAt } : {});
        expect(counts.counts).toEqual(now);
        expect(counts.total).toBe(new Set(events.map((e) => e.pseId)).size);
      }
    });

    it('then the blocklist names the change it is as of, which moves with the list and not with the checkpoint', async () => {
      const changes = await db.store.getBlocklistChanges(0, 10_000);
      const lastChange = changes[changes.length - 1]?.position ?? 0;
      expect(lastChange).toBeGreaterThan(0);
      const list = await db.store.getBlocklist();
      expect(list.lastChange).toBe(lastChange);
      expect(await db.store.getBlocklistVersion()).toBe(lastChange);
      expect(list.position).toBeGreaterThanOrEqual(lastChange);
    });

    it('given a reset, then the counts are empty and the blocklist at change 0; after a rebuild, as before', async () => {
      const before = await db.store.getStateCounts('2099-12-31');
      const version = await db.store.getBlocklistVersion();
      await db.store.reset();
      expect((await db.store.getStateCounts('2099-12-31')).total).toBe(0);
      expect(await db.store.getBlocklistVersion()).toBe(0);
      await applyAll(events, 11);
      expect(await db.store.getStateCounts('2099-12-31')).toEqual(before);
      expect(await db.store.getBlocklistVersion()).toBe(version);
    });
  });

  it('given late records, then counts before the newest record time still read the timeline, and after it the current states', async () => {
    const late = lateRecords2022();
    const events = late.events.map(toReadModelEvent);
    await applyAll(events);
    // Steam's block of 30 July was recorded on 6 August: known at 5 August it was still warned.
    const early = await db.store.getStateCounts('2022-08-01', { knownAt: '2022-08-05' });
    const later = await db.store.getStateCounts('2099-12-31');
    expect(later.counts).toEqual(lastStates(events));
    expect(early.counts).not.toEqual(later.counts);
  });
});
