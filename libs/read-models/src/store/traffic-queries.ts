import type { TrafficObservationRow } from '../projections/traffic.projection';
import type { CaseTrafficPoint, DiscoveryQuery, RankedDiscoveryCandidate } from './read-model-store.port';
import { readers } from './row-mapping';
import type { SqlDialect } from './read-model.schema';
import type { SqlClient, SqlRecord, SqlTransaction } from './sql-client';

const { str, nnum } = readers;

// Rows per INSERT statement batch: the projector hands batches of its own size; larger imports are split.
const INSERT_CHUNK = 5000;

// Ingest stores matching keys (no `www.`, lower case); rows recorded earlier by SQL may still carry either.
const KEY = `CASE WHEN lower(t.domain) LIKE 'www.%' THEN substr(lower(t.domain), 5) ELSE lower(t.domain) END`;

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
 * largest visits and best rank any source gave in it. Every write of traffic_observations calls it in its own
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
  if (dialect === 'postgres')
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sanksi.read-models.traffic-latest'))`);
  const distinct = [...new Set(domains)];
  for (let i = 0; i < distinct.length; i += INSERT_CHUNK) {
    const chunk = distinct.slice(i, i + INSERT_CHUNK);
    const marks = chunk.map(() => '?').join(', ');
    await tx.query(`DELETE FROM traffic_latest_domains WHERE domain IN (${marks})`, chunk);
    await tx.query(
      `INSERT INTO traffic_latest_domains (domain, domain_key, period, visits, rank, source)
       SELECT t.domain, ${KEY}, t.period, max(t.visits), min(t.rank), min(t.source)
       FROM traffic_observations t
       WHERE t.domain IN (${marks})
         AND t.period = (SELECT max(t2.period) FROM traffic_observations t2 WHERE t2.domain = t.domain)
       GROUP BY t.domain, t.period`,
      chunk,
    );
  }
}

/** Empties the traffic table and sets its checkpoint to 0 (inside the caller's transaction). */
export async function resetTrafficRows(tx: SqlTransaction, checkpoint: string): Promise<void> {
  await tx.query(`DELETE FROM traffic_observations`);
  await tx.query(`DELETE FROM traffic_latest_domains`);
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
  db: Pick<SqlClient, 'query' | 'dialect'>,
  query: DiscoveryQuery,
  limit: number,
): Promise<RankedDiscoveryCandidate[]> {
  const params: unknown[] = [];
  const where: string[] = [`NOT EXISTS (SELECT 1 FROM case_domains d WHERE d.domain_key = ${KEY})`];
  if (query.period !== undefined) {
    where.push('t.period = ?');
    params.push(query.period);
  } else {
    where.push('t.period = (SELECT max(t2.period) FROM traffic_observations t2 WHERE t2.domain = t.domain)');
  }
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
  return rows.map((r, i) => ({
    rankInList: i + 1,
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
  // Both spellings of a key use the primary key's domain prefix; KEY alone would scan the table.
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
