import type { TrafficObservationRow } from '../projections/traffic.projection';
import type {
  CaseTrafficPoint,
  DiscoveryCandidate,
  DiscoveryQuery,
  RankedDiscoveryCandidate,
} from './read-model-store.port';
import { readers } from './row-mapping';
import {
  caseDomainVisits,
  NO_SCANS,
  type SqlDialect,
  TRAFFIC_KEY,
  TRAFFIC_LATEST_LOCK,
} from './read-model.schema';
import type { SqlClient, SqlRecord, SqlTransaction } from './sql-client';

const { str, nnum } = readers;

// Rows per INSERT statement batch: the projector hands batches of its own size; larger imports are split.
const INSERT_CHUNK = 5000;

const sources = (r: SqlRecord): string[] =>
  str(r, 'sources')
    .split(',')
    .filter((s) => s !== '')
    .sort();

/** Inserts projected traffic rows; the first fact of a (domain, period, source) stays (replays are no-ops). */
export async function insertTrafficRows(
  tx: SqlTransaction,
  dialect: SqlDialect,
  rows: readonly TrafficObservationRow[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await tx.insertMany(
      'traffic_observations',
      ['domain', 'period', 'visits', 'rank', 'source'],
      rows.slice(i, i + INSERT_CHUNK).map((r) => [r.domain, r.period, r.visits, r.rank, r.source]),
      'ON CONFLICT (domain, period, source) DO NOTHING',
    );
  }
  await refreshTrafficLatest(
    tx,
    dialect,
    rows.map((r) => r.domain),
  );
}

/**
 * Writes the latest figures of each of `domains` (as traffic_observations spells them) again into
 * traffic_latest_domains (read-model migration 28), from every observation of the domain: its latest period, the
 * largest visits and best rank any source gave in it; and the visits of the cases' domains of their keys
 * (`case_domains.visits`, migration 30). Every write of traffic_observations calls it in its own
 * transaction, so the table is the view it replaced, always. On PostgreSQL two such transactions take turns here (a
 * lock until commit): each reads the observations as the other committed them, and neither inserts a row the other
 * is inserting.
 */
export async function refreshTrafficLatest(
  tx: SqlTransaction,
  dialect: SqlDialect,
  domains: readonly string[],
): Promise<void> {
  if (domains.length === 0) return;
  if (dialect === 'postgres') {
    await tx.query(TRAFFIC_LATEST_LOCK);
    // Every statement below reads by key (a domain, its key); a table a large import has just filled has no
    // statistics yet, and PostgreSQL guessed scans of it for lists of a few hundred domains.
    await tx.query(NO_SCANS);
  }
  const distinct = [...new Set(domains)];
  for (let i = 0; i < distinct.length; i += INSERT_CHUNK) {
    const chunk = distinct.slice(i, i + INSERT_CHUNK);
    const marks = chunk.map(() => '?').join(', ');
    await tx.query(`DELETE FROM traffic_latest_domains WHERE domain IN (${marks})`, chunk);
    await tx.query(
      `INSERT INTO traffic_latest_domains (domain, domain_key, period, visits, rank, source)
       SELECT t.domain, ${TRAFFIC_KEY}, t.period, max(t.visits), min(t.rank), min(t.source)
       FROM traffic_observations t
       WHERE t.domain IN (${marks})
         AND t.period = (SELECT max(t2.period) FROM traffic_observations t2 WHERE t2.domain = t.domain)
       GROUP BY t.domain, t.period`,
      chunk,
    );
    // The cases' domains of the keys written carry their visits (migration 30).
    await tx.query(
      caseDomainVisits(
        `domain_key IN (SELECT domain_key FROM traffic_latest_domains WHERE domain IN (${marks}))`,
      ),
      chunk,
    );
  }
}

/** Empties the traffic table and sets its checkpoint to 0 (inside the caller's transaction). */
export async function resetTrafficRows(
  tx: SqlTransaction,
  dialect: SqlDialect,
  checkpoint: string,
): Promise<void> {
  if (dialect === 'postgres') await tx.query(TRAFFIC_LATEST_LOCK);
  await tx.query(`DELETE FROM traffic_observations`);
  await tx.query(`DELETE FROM traffic_latest_domains`);
  await tx.query(`UPDATE case_domains SET visits = NULL WHERE visits IS NOT NULL`);
  await tx.insertMany(
    'projection_checkpoints',
    ['name', 'position', 'events_applied', 'updated_at'],
    [[checkpoint, 0, 0, new Date().toISOString()]],
    `ON CONFLICT (name) DO UPDATE SET position = 0, events_applied = 0, updated_at = excluded.updated_at`,
  );
}

/**
 * Discovery: addresses with traffic and no case, ranked by visits (largest first), then rank (best
 * first), then name. In one period when asked, otherwise in each address's latest period.
 */
export async function findDiscoveryCandidates(
  db: Pick<SqlClient, 'query' | 'dialect' | 'snapshot'>,
  query: DiscoveryQuery,
  limit: number,
): Promise<RankedDiscoveryCandidate[]> {
  const found =
    query.period === undefined
      ? await db.snapshot(async (tx) => withSources(tx, db.dialect, await latestFigures(tx, query, limit)))
      : await periodCandidates(db, query, limit);
  return found.map((c, i) => ({ rankInList: i + 1, ...c }));
}

/** The discovery list without a period, its figures alone (`GET /v1/stats/discovery`: no sources asked). */
export function latestDiscoveryFigures(
  db: Pick<SqlClient, 'snapshot'>,
  limit: number,
): Promise<DiscoveryCandidate[]> {
  return db.snapshot((tx) => latestFigures(tx, {}, limit));
}

type Candidate = Omit<RankedDiscoveryCandidate, 'rankInList'>;

/**
 * Each address in its latest period, read from traffic_latest_domains (read-model migration 28), where the traffic
 * projector keeps exactly those figures: first the addresses with a count of visits, down the visits index
 * (migration 29), stopping at the page's end; then, while the page has room, those with a rank alone. Computed from
 * every observation as before (each address's latest period by a correlated max, every group sorted), the list cost
 * what the traffic recorded costs: 1.2 s for 870,000 observations on SQLite, a millisecond now.
 */
async function latestFigures(
  db: Pick<SqlTransaction, 'query'>,
  query: Omit<DiscoveryQuery, 'period' | 'limit'>,
  limit: number,
): Promise<DiscoveryCandidate[]> {
  const where = [`NOT EXISTS (SELECT 1 FROM case_domains d WHERE d.domain_key = l.domain_key)`];
  const params: unknown[] = [];
  if (query.domain !== undefined) {
    where.push('l.domain = ?');
    params.push(query.domain);
  }
  const page = (visits: string, visitsParams: unknown[], order: string, room: number) =>
    db.query(
      `SELECT l.domain, l.period, l.visits, l.rank FROM traffic_latest_domains l
       WHERE ${[...where, visits].join(' AND ')} ORDER BY ${order} LIMIT ?`,
      [...params, ...visitsParams, room],
    );
  // Without NULLS in the order: no null is left to place, and PostgreSQL then reads the index backwards as it is.
  const [counts, countParams] =
    query.minVisits !== undefined ? ['l.visits >= ?', [query.minVisits]] : ['l.visits IS NOT NULL', []];
  const counted = await page(counts, countParams, 'l.visits DESC, l.rank ASC NULLS LAST, l.domain', limit);
  // A minimum of visits leaves out every address without a count of them.
  const ranked =
    counted.length < limit && query.minVisits === undefined
      ? await page('l.visits IS NULL', [], 'l.rank ASC NULLS LAST, l.domain', limit - counted.length)
      : [];
  return [...counted, ...ranked].map((r) => ({
    domain: str(r, 'domain'),
    period: str(r, 'period'),
    visits: nnum(r, 'visits'),
    rank: nnum(r, 'rank'),
  }));
}

/** `figures` with the sources that saw each address in its period: its observations there, by the primary key. */
async function withSources(
  db: Pick<SqlTransaction, 'query'>,
  dialect: SqlDialect,
  figures: readonly DiscoveryCandidate[],
): Promise<Candidate[]> {
  if (figures.length === 0) return [];
  const domains = figures.map((f) => f.domain);
  const marks = domains.map(() => '?').join(', ');
  // On PostgreSQL each domain by its own look-up: planned as one scan for all, a table the traffic import had just
  // filled (no statistics yet) was read whole for a hundred domains (80 ms at 870,000 observations).
  const seen = await db.query(
    dialect === 'postgres'
      ? `SELECT o.domain, o.period, o.source FROM unnest(ARRAY[${marks}]::text[]) AS d(domain)
         CROSS JOIN LATERAL (SELECT t.domain, t.period, t.source FROM traffic_observations t
           WHERE t.domain = d.domain ORDER BY t.period, t.source) o`
      : `SELECT domain, period, source FROM traffic_observations WHERE domain IN (${marks})`,
    domains,
  );
  const periods = new Map(figures.map((f) => [f.domain, f.period]));
  const sourcesOf = new Map<string, string[]>();
  for (const r of seen) {
    const domain = str(r, 'domain');
    const source = str(r, 'source');
    if (periods.get(domain) !== str(r, 'period') || source === '') continue;
    const list = sourcesOf.get(domain);
    if (list) list.push(source);
    else sourcesOf.set(domain, [source]);
  }
  return figures.map((f) => ({ ...f, sources: (sourcesOf.get(f.domain) ?? []).sort() }));
}

/** The addresses observed in one period, grouped from its observations. */
async function periodCandidates(
  db: Pick<SqlClient, 'query' | 'dialect'>,
  query: DiscoveryQuery,
  limit: number,
): Promise<Candidate[]> {
  const params: unknown[] = [query.period];
  const where: string[] = [
    `NOT EXISTS (SELECT 1 FROM case_domains d WHERE d.domain_key = ${TRAFFIC_KEY})`,
    't.period = ?',
  ];
  if (query.domain !== undefined) {
    where.push('t.domain = ?');
    params.push(query.domain);
  }
  const having = query.minVisits !== undefined ? 'HAVING max(t.visits) >= ?' : '';
  if (query.minVisits !== undefined) params.push(query.minVisits);
  const aggregate = db.dialect === 'postgres' ? `string_agg(t.source, ',')` : `group_concat(t.source, ',')`;
  const rows = await db.query(
    `SELECT t.domain, t.period, max(t.visits) AS visits, min(t.rank) AS rank, ${aggregate} AS sources
     FROM traffic_observations t
     WHERE ${where.join(' AND ')}
     GROUP BY t.domain, t.period ${having}
     ORDER BY max(t.visits) DESC NULLS LAST, min(t.rank) ASC NULLS LAST, t.domain LIMIT ?`,
    [...params, limit],
  );
  return rows.map((r) => ({
    domain: str(r, 'domain'),
    period: str(r, 'period'),
    visits: nnum(r, 'visits'),
    rank: nnum(r, 'rank'),
    sources: sources(r),
  }));
}

/** The traffic of one case's domains per period and domain, oldest period first. */
export async function caseTraffic(
  db: Pick<SqlClient, 'query' | 'dialect'>,
  pseId: string,
): Promise<CaseTrafficPoint[]> {
  const aggregate = db.dialect === 'postgres' ? `string_agg(t.source, ',')` : `group_concat(t.source, ',')`;
  // Both spellings of a key use the primary key's domain prefix; TRAFFIC_KEY alone would scan the table.
  const rows = await db.query(
    `SELECT d.domain_key AS domain, t.period, max(t.visits) AS visits, min(t.rank) AS rank, ${aggregate} AS sources
     FROM case_domains d
     JOIN traffic_observations t ON t.domain = d.domain_key OR t.domain = 'www.' || d.domain_key
     WHERE d.pse_id = ?
     GROUP BY d.domain_key, t.period
     ORDER BY t.period, d.domain_key`,
    [pseId],
  );
  return rows.map((r) => ({
    domain: str(r, 'domain'),
    period: str(r, 'period'),
    visits: nnum(r, 'visits'),
    rank: nnum(r, 'rank'),
    sources: sources(r),
  }));
}
