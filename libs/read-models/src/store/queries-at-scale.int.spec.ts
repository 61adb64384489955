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
import type { ListCasesQuery } from './read-model-store.port';
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

/** A system's field by its column name in the register's CSV (empty when absent). */
type System = (field: string) => string;

/** A system given by the fields it has. */
const systemOf =
  (fields: Record<string, string>): System =>
  (field) =>
    fields[field] ?? '';

/** The real register (11,946 systems of 2022-11-29). */
function realSystems(): System[] {
  const [header, ...rows] = parseCsv(gunzipSync(readFileSync(REGISTRY_CSV)).toString('utf8'));
  const col = (name: string) => (header as string[]).indexOf(name);
  return rows.filter((r) => r.length === header?.length).map((r) => (name: string) => r[col(name)] ?? '');
}

/** Systems as registry rows, in INSERT statements of 500. */
function registryInserts(systems: readonly System[]): string[] {
  const values = systems.map((v) => {
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

/** Systems as cases (case_summary rows): half registered, fines and times varied. */
function caseInserts(systems: readonly System[]): string[] {
  const values = systems.map((v, i) => {
    const registered = i % 2 === 0;
    const at = `2022-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00.000Z`;
    const row: Record<string, string | number | null> = {
      pse_id: `sys-${v('system_id')}`,
      name: v('name'),
      origin: v('origin') === 'LOKAL' ? 'domestic' : 'foreign',
      company: v('company') || null,
      sector: v('sector') || null,
      domains: JSON.stringify(v('website') ? [v('website')] : []),
      state: registered ? 'registered' : 'warned',
      substate: registered ? null : 'responding',
      state_since: at,
      on_blocklist: 0,
      registration_number: registered && v('registration_number') ? v('registration_number') : null,
      warnings: registered ? 0 : 1,
      blocks: 0,
      fines_imposed_idr: (i % 7) * 1_000_000,
      fines_paid_idr: 0,
      fines_annulled_idr: 0,
      fines_outstanding_idr: (i % 7) * 1_000_000,
      next_deadline_at: registered ? null : at,
      escalation_pending: 0,
      escalation_allowed: registered ? '[]' : '["BlockAccess"]',
      policy_version: i % 3 === 0 ? 'kominfo-2022' : 'pp43-2023',
      version: i % 5,
      last_position: i + 1,
      last_event_type: 'PseIdentified',
      opened_at: '2022-01-01T00:00:00.000Z',
      updated_at: at,
      recorded_at: at,
    };
    return row;
  });
  const columns = Object.keys(values[0] ?? {});
  const sqlValue = (x: string | number | null) => (typeof x === 'number' ? String(x) : literal(x));
  const statements: string[] = [];
  for (let i = 0; i < values.length; i += 500)
    statements.push(
      `INSERT INTO case_summary (${columns.join(', ')}) VALUES ${values
        .slice(i, i + 500)
        .map((r) => `(${columns.map((c) => sqlValue(r[c] ?? null)).join(', ')})`)
        .join(', ')}`,
    );
  return statements;
}

/** The real register's systems, and names whose order differs between folding ASCII only (SQLite's lower) and every letter. */
function realCases(): System[] {
  const extra = ['Über Alles', 'äpfel', 'Ärger', 'ÉCLAIR', 'éclair', 'Ωmega'].map((name, i) =>
    systemOf({ system_id: `x${i}`, name, website: `extra-${i}.example` }),
  );
  return [...realSystems(), ...extra];
}

/** The case list's free-text search as it was before migration 8: a LIKE scan of every case, by case id. */
async function scannedCases(db: OpenedBackend, dialect: string, q: string): Promise<string[]> {
  const p = literal(
    `%${q
      .trim()
      .toLowerCase()
      .replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
  );
  const like = (c: string) => `${c} LIKE ${p} ESCAPE '\\'`;
  const rows = await db.sql(
    `SELECT pse_id FROM case_summary WHERE ${like('lower(name)')} OR ${like("lower(coalesce(company, ''))")}` +
      ` OR ${like('lower(domains)')} OR ${like('lower(pse_id)')} OR ${like("lower(coalesce(registration_number, ''))")}` +
      ` ORDER BY pse_id${dialect === 'postgres' ? ' COLLATE "C"' : ''}`,
  );
  return rows.map((r) => String(r.pse_id));
}

/** Every page of the store's case list for `query`, followed by cursor. */
async function pagedCases(db: OpenedBackend, query: ListCasesQuery): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await db.store.listCases({ ...query, cursor });
    ids.push(...page.items.map((r) => r.pseId));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
}

/** Byte order of UTF-8 text, as SQLite compares and PostgreSQL does under COLLATE "C". */
const compareBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** SQLite's lower(): ASCII letters only. */
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

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
      for (const statement of registryInserts(realSystems())) await db.execute(statement);
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

  describe('given the real register of 2022 as cases in case_summary (and names that fold differently)', () => {
    let everyCase: Array<{ pseId: string; name: string; updatedAt: string }>;
    beforeEach(async () => {
      await db.store.migrate();
      for (const statement of caseInserts(realCases())) await db.execute(statement);
      everyCase = (await db.sql(`SELECT pse_id, name, updated_at FROM case_summary`)).map((r) => ({
        pseId: String(r.pse_id),
        name: String(r.name),
        updatedAt: new Date(r.updated_at as string).toISOString(),
      }));
    });

    it('then every text search finds exactly what the LIKE scan found, in the same order, whole or page by page, whatever the order asked', async () => {
      const queries = [
        'shop',
        ' Toko ',
        'tbk',
        '.co.id',
        // in every registered case's certificate number: more candidates than the trigram path fetches
        'DJAI',
        'sys-1',
        'pt',
        'a',
        '%',
        '_',
        "'",
        'Ü',
        'Über',
        'no such system anywhere',
      ];
      let found = 0;
      for (const q of queries) {
        const scanned = await scannedCases(db, backend.name, q);
        found += scanned.length;
        expect({ q, ids: await pagedCases(db, { q, limit: 1000 }) }).toEqual({ q, ids: scanned });
        // The same cases in another order: by name through its index, every page.
        const byName = await pagedCases(db, { q, sort: 'name', limit: 400 });
        expect({ q, ids: [...byName].sort(compareBytes) }).toEqual({
          q,
          ids: [...scanned].sort(compareBytes),
        });
      }
      expect(found).toBeGreaterThan(5000);
      const shops = await scannedCases(db, backend.name, 'shop');
      expect(shops.length).toBeGreaterThan(20);
      expect(await pagedCases(db, { q: 'shop', limit: 7 })).toEqual(shops);
      expect(await pagedCases(db, { q: 'djai', limit: 50, state: 'registered' })).toEqual(
        await scannedCases(db, backend.name, 'djai'),
      );
    });

    it('then the search follows cases as they are renamed and go, and an event that leaves the text alone changes nothing', async () => {
      const [first] = await scannedCases(db, backend.name, 'shop');
      await db.execute(
        `UPDATE case_summary SET version = version + 1, state = 'blocked' WHERE pse_id = '${first}'`,
      );
      expect(await pagedCases(db, { q: 'shop', limit: 1000 })).toEqual(
        await scannedCases(db, backend.name, 'shop'),
      );
      await db.execute(`UPDATE case_summary SET name = 'Renamed Warung Qwzx' WHERE pse_id = '${first}'`);
      expect(await pagedCases(db, { q: 'qwzx', limit: 50 })).toEqual([first]);
      expect(await pagedCases(db, { q: 'shop', limit: 1000 })).toEqual(
        await scannedCases(db, backend.name, 'shop'),
      );
      await db.execute(`DELETE FROM case_summary WHERE pse_id = '${first}'`);
      expect(await pagedCases(db, { q: 'qwzx', limit: 50 })).toEqual([]);
    });

    it('then by name the order is the same on both dialects: ASCII letters folded, then bytes, then case id; other orders page through their indexes', async () => {
      const expected = [...everyCase]
        .sort(
          (a, b) => compareBytes(asciiLower(a.name), asciiLower(b.name)) || compareBytes(a.pseId, b.pseId),
        )
        .map((c) => c.pseId);
      expect(await pagedCases(db, { sort: 'name', limit: 1000 })).toEqual(expected);
      expect(await pagedCases(db, { sort: '-name', limit: 999 })).toEqual([...expected].reverse());
      const byUpdate = [...everyCase]
        .sort((a, b) => compareBytes(a.updatedAt, b.updatedAt) || compareBytes(a.pseId, b.pseId))
        .map((c) => c.pseId);
      expect(await pagedCases(db, { sort: 'updated', limit: 1000 })).toEqual(byUpdate);
      // Folding every letter would put "äpfel" before "Über Alles"; SQLite's lower() and this order do not.
      const names = (await pagedCases(db, { q: 'extra-', sort: 'name', limit: 10 })).map(
        (id) => everyCase.find((c) => c.pseId === id)?.name,
      );
      expect(names).toEqual(['Ärger', 'ÉCLAIR', 'Über Alles', 'äpfel', 'éclair', 'Ωmega']);
    });

    it('given a database migrated before the case index existed, then migrating builds it from the cases already there', async () => {
      const before = await scannedCases(db, backend.name, 'shop');
      await db.execute(
        backend.name === 'sqlite'
          ? `DROP TRIGGER case_search_insert; DROP TRIGGER case_search_delete; DROP TRIGGER case_search_update;
             DROP TABLE case_search; DELETE FROM read_model_migrations WHERE version IN (8, 9)`
          : `DROP INDEX case_search_0, case_search_1, case_search_2, case_search_3, case_search_4;
             DELETE FROM read_model_migrations WHERE version IN (8, 9)`,
      );
      const reopened = db.reopen();
      expect((await reopened.listCases({ q: 'shop', limit: 1000 })).items.map((r) => r.pseId)).toEqual(
        before,
      );
    });
  });

  describe('given a common text whose matches lie far along every order, and a case matching it by app id alone', () => {
    // 6,000 systems first in every order hold each trigram of "needle" but not the word ("Needl Dle"): more
    // trigram candidates than a search fetches, and none a match within the rows its walk judges first.
    const fillers = Array.from({ length: 6_000 }, (_, i) => ({
      system_id: `a${String(i).padStart(4, '0')}`,
      name: `Alpha ${i}`,
      company: 'PT Needl Dle',
      website: `alpha-${i}.example`,
      registration_number: `A${i}/DJAI.PSE/2022`,
    }));
    const needles = Array.from({ length: 40 }, (_, i) => ({
      system_id: `z${String(i).padStart(2, '0')}`,
      name: `Zeta Needle ${i}`,
      website: `zeta-${i}.example`,
      registration_number: `Z${i}/DJAI.PSE/2022`,
    }));
    const systems = [...fillers, ...needles].map(systemOf);
    beforeEach(async () => {
      await db.store.migrate();
      for (const statement of [...caseInserts(systems), ...registryInserts(systems)])
        await db.execute(statement);
      await db.execute(
        `INSERT INTO case_addresses (pse_id, kind, address) VALUES ('sys-a0007', 'app-id', 'com.needle.app')`,
      );
    });

    it('then the case list and the register find the matches and the case by app id, page by page, in every order', async () => {
      const matches = needles.map((n) => `sys-${n.system_id}`);
      expect(await scannedCases(db, backend.name, 'needle')).toEqual(matches);
      for (const limit of [7, 50, 1000]) {
        expect({ limit, ids: await pagedCases(db, { q: 'Needle', limit }) }).toEqual({
          limit,
          ids: ['sys-a0007', ...matches],
        });
        expect({ limit, ids: await pagedRegistry(db, 'needle', limit) }).toEqual({
          limit,
          ids: ['sys-a0007', ...(await scannedRegistry(db, 'needle'))],
        });
      }
      for (const sort of ['name', '-updated', 'traffic'] as const) {
        const ids = await pagedCases(db, { q: 'needle', sort, limit: 9 });
        expect({ sort, ids: [...ids].sort() }).toEqual({ sort, ids: ['sys-a0007', ...matches] });
      }
      // Every other system is warned (caseInserts): the 8th filler and the odd needles.
      expect(await pagedCases(db, { q: 'needle', state: 'warned', limit: 5 })).toEqual([
        'sys-a0007',
        ...matches.filter((_, i) => i % 2 === 1),
      ]);
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
