// Sanksi side by side with Emmett (issue #10, goal 6): the same case histories appended one event per
// call with expected versions, read back, and projected into a case summary, on SQLite (synchronous
// FULL on both) and PostgreSQL (default commit), 1 and BENCH_WRITERS writers, in one run, each side
// beside its own raw driver limit. Emmett comes from apps/bench/emmett (installed on first use).
// Failures are counted per line, never hidden. See docs/benchmarks.md "Side by side with Emmett".
import { PostgresEventStore, SqliteEventStore, WalCheckpointer } from '@sanksi/event-store';
import { createTemporaryPostgresDatabase, type TemporaryPostgresDatabase } from '@sanksi/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { caseHistories, type CaseStream } from './emmett/case-histories';
import { loadEmmett, type EmmettModules } from './emmett/emmett-modules';
import {
  createPostgresSummaryTable,
  createSqliteSummaryTable,
  emmettLogLines,
  emmettSide,
  inline,
  postgresSummaryProjection,
  projectedTypes,
  sqliteSummaryProjection,
} from './emmett/emmett-side';
import { rawBetterSqlite, rawPostgres, rawSqlite3 } from './emmett/raw-side';
import {
  addFigures,
  formatTable,
  shortfalls,
  type ComparisonLine,
  type SideFigure,
} from './emmett/result-table';
import { postgresSummarySink, sanksiSide, sqliteSummarySink } from './emmett/sanksi-side';
import type { BenchSide } from './emmett/side';

const SCALE = Math.max(0.05, Number(process.env.BENCH_SCALE ?? '1'));
const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? '3'));
const WRITERS = Math.max(2, Number(process.env.BENCH_WRITERS ?? '8'));
/** Cases per slice and side: each is one stream of EVENTS_PER_CASE events. */
const CASES = Math.max(WRITERS, Math.round(40 * SCALE));

/** The four contenders of one backend; a raw side may serve both stores (same driver). */
interface Contenders {
  sanksi: BenchSide;
  emmett: BenchSide;
  sanksiRaw: BenchSide;
  emmettRaw: BenchSide;
}
type Role = keyof Contenders;
const ROLES: Role[] = ['sanksi', 'emmett', 'sanksiRaw', 'emmettRaw'];

/**
 * Runs one scenario in slices, rotating which contender goes first so all live through the same noise;
 * a raw side shared by both stores runs once per slice and counts for both.
 */
async function runLine(
  contenders: Contenders,
  work: (side: BenchSide, slice: number) => Promise<SideFigure>,
): Promise<Record<Role, SideFigure>> {
  const figures: Record<Role, SideFigure[]> = { sanksi: [], emmett: [], sanksiRaw: [], emmettRaw: [] };
  for (let slice = 0; slice < SLICES; slice++) {
    const done = new Map<BenchSide, SideFigure>();
    const order = ROLES.map((_, i) => ROLES[(i + slice) % ROLES.length]);
    for (const role of order) {
      const side = contenders[role];
      const figure = done.get(side) ?? (await work(side, slice));
      done.set(side, figure);
      figures[role].push(figure);
    }
  }
  return {
    sanksi: addFigures(figures.sanksi),
    emmett: addFigures(figures.emmett),
    sanksiRaw: addFigures(figures.sanksiRaw),
    emmettRaw: addFigures(figures.emmettRaw),
  };
}

async function measureBackend(
  backend: string,
  plain: Contenders,
  projected: Contenders,
  lines: ComparisonLine[],
): Promise<void> {
  const add = (scenario: string, f: Record<Role, SideFigure>): void => {
    const line = { backend, scenario, ...f };
    lines.push(line);
    console.log(formatTable([line])[2]);
  };
  const written: CaseStream[] = [];
  for (const writers of [1, WRITERS]) {
    add(
      `append ${writers} writer${writers > 1 ? 's' : ''}`,
      await runLine(plain, (side, slice) => {
        const streams = caseHistories(`a${writers}s${slice}`, CASES);
        if (side === plain.sanksi) written.push(...streams);
        return side.append(streams, writers);
      }),
    );
  }
  add(`read ${written.length} streams back`, await runLine(plain, (side) => side.readBack(written)));
  for (const writers of [1, WRITERS]) {
    add(
      `append + projection, ${writers} writer${writers > 1 ? 's' : ''}`,
      await runLine(projected, (side, slice) =>
        side.append(caseHistories(`p${writers}s${slice}`, CASES), writers),
      ),
    );
  }
}

async function closeAll(sides: Iterable<BenchSide>): Promise<void> {
  for (const side of new Set(sides)) await side.close();
}

async function sqliteBackend(emmett: EmmettModules, lines: ComparisonLine[]): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-emmett-'));
  const file = (name: string): string => path.join(dir, name);
  const types = projectedTypes(caseHistories('types', 8));
  try {
    const probe = emmett.sqliteConnection({ fileName: file('probe.db') });
    const sync = await probe.querySingle<{ synchronous: number }>('PRAGMA synchronous');
    const journal = await probe.querySingle<{ journal_mode: string }>('PRAGMA journal_mode');
    probe.close();
    console.log(
      `  Emmett's SQLite connection: journal_mode=${journal?.journal_mode}, synchronous=${sync?.synchronous} (2 = FULL); Sanksi and raw run WAL + FULL`,
    );
    await createSqliteSummaryTable(emmett, file('emmett-projected.db'));
    // The SQLite store copies its log back on a thread: each of its runs waits for that copy outside its
    // time, so that it does not land in the time of the side measured next.
    const checkpointers = ['sanksi.db', 'sanksi-projected.db'].map((name) =>
      WalCheckpointer.forFile(file(name), () => undefined),
    );
    const [plainCopy, projectedCopy] = checkpointers.map((c) => () => c.whenIdle());
    const plain: Contenders = {
      sanksi: sanksiSide(
        new SqliteEventStore({ file: file('sanksi.db'), synchronous: 'FULL' }),
        undefined,
        plainCopy,
      ),
      emmett: emmettSide(emmett.getSQLiteEventStore({ fileName: file('emmett.db') }), async () => undefined),
      sanksiRaw: rawBetterSqlite(file('raw-better-sqlite3.db'), 'FULL', false),
      emmettRaw: await rawSqlite3(emmett.openSqlite3, file('raw-sqlite3.db'), false),
    };
    const projected: Contenders = {
      sanksi: sanksiSide(
        new SqliteEventStore({ file: file('sanksi-projected.db'), synchronous: 'FULL' }),
        // As Sanksi ships (read-models' SQLite client): the log is FULL, read models NORMAL — rows and
        // checkpoint commit together, so a tail lost to power loss is projected again from the log.
        sqliteSummarySink(file('sanksi-read-models.db'), 'NORMAL'),
        projectedCopy,
      ),
      emmett: emmettSide(
        emmett.getSQLiteEventStore({
          fileName: file('emmett-projected.db'),
          projections: inline(emmett, sqliteSummaryProjection(types)),
        }),
        async () => undefined,
      ),
      sanksiRaw: rawBetterSqlite(file('raw-better-sqlite3-projected.db'), 'FULL', true),
      emmettRaw: await rawSqlite3(emmett.openSqlite3, file('raw-sqlite3-projected.db'), true),
    };
    try {
      await measureBackend('SQLite FULL', plain, projected, lines);
    } finally {
      for (const c of checkpointers) await c.close();
      await closeAll([...Object.values(plain), ...Object.values(projected)]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresBackend(emmett: EmmettModules, lines: ComparisonLine[]): Promise<void> {
  const types = projectedTypes(caseHistories('types', 8));
  const databases: TemporaryPostgresDatabase[] = [];
  const database = async (name: string): Promise<string> => {
    const db = await createTemporaryPostgresDatabase(name);
    databases.push(db);
    return db.url;
  };
  try {
    const sanksiUrl = await database('sanksi_bench_vs_emmett_s');
    const emmettUrl = await database('sanksi_bench_vs_emmett_e');
    const rawUrl = await database('sanksi_bench_vs_emmett_r');
    const emmettPlain = emmett.getPostgreSQLEventStore(emmettUrl, {});
    const emmettProjected = emmett.getPostgreSQLEventStore(emmettUrl, {
      projections: inline(emmett, postgresSummaryProjection(types)),
    });
    // Emmett creates its schema on first use; the summary table is the application's, made up front.
    await createPostgresSummaryTable(emmettUrl);
    const raw = await rawPostgres(rawUrl, WRITERS, false);
    const rawProjected = await rawPostgres(rawUrl, WRITERS, true);
    const plain: Contenders = {
      sanksi: sanksiSide(new PostgresEventStore({ connectionString: sanksiUrl })),
      emmett: emmettSide(emmettPlain, () => emmettPlain.close()),
      sanksiRaw: raw,
      emmettRaw: raw,
    };
    const projected: Contenders = {
      sanksi: sanksiSide(
        new PostgresEventStore({ connectionString: sanksiUrl }),
        await postgresSummarySink(sanksiUrl),
      ),
      emmett: emmettSide(emmettProjected, () => emmettProjected.close()),
      sanksiRaw: rawProjected,
      emmettRaw: rawProjected,
    };
    try {
      await measureBackend('PostgreSQL', plain, projected, lines);
    } finally {
      await closeAll([...Object.values(plain), ...Object.values(projected)]);
    }
  } finally {
    for (const db of databases) await db.drop();
  }
}

/** Prints the Sanksi-versus-Emmett table (SQLite FULL, PostgreSQL) with each side's ratio to its raw driver. */
export async function run(): Promise<void> {
  const emmett = loadEmmett((line) => console.log(line));
  console.log(
    `  ${Object.entries(emmett.versions)
      .map(([p, v]) => `${p} ${v}`)
      .join(', ')}\n` +
      `  ${CASES} case histories (8 events each) per slice and side, ${SLICES} slices per line (BENCH_SCALE, BENCH_SLICES), ` +
      `writers 1 and ${WRITERS} (BENCH_WRITERS); load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const lines: ComparisonLine[] = [];
  console.log(formatTable([])[0] + '\n' + formatTable([])[1]);
  await sqliteBackend(emmett, lines);
  if (process.env.BENCH_SKIP_POSTGRES === '1') {
    console.log('  postgres: skipped (BENCH_SKIP_POSTGRES=1)');
  } else {
    await postgresBackend(emmett, lines);
  }
  console.log(`\n${formatTable(lines).join('\n')}`);
  console.log(
    `\n  load average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `  console.log lines Emmett printed (muted while it ran; its SQLite store logs each failed transaction): ${emmettLogLines()}`,
  );
  const short = shortfalls(lines);
  console.log(
    short.length === 0
      ? '  every line >= 3x Emmett, no errors'
      : `  below the goal or failing:\n    ${short.join('\n    ')}`,
  );
}
