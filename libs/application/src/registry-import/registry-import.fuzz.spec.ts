import fc from 'fast-check';
import { parseCsv } from './csv-parser';
import { buildImportPlan } from './import-plan.builder';
import { RegistryImportError } from './registry-import.errors';
import { CHANGES_COLUMNS, REGISTRATION_NUMBER_RE, SNAPSHOT_COLUMNS } from './registry-rows.schema';

// Fuzzing the registry CSV importer (issue 11): whatever the two files hold, the import either builds a
// plan or refuses the file with a RegistryImportError (a quote never closed, columns missing) — never
// another exception — and the plan accounts for every snapshot row, is the same for the same input, and
// hands the commands only what they accept. `npm test` tries 300 pairs of files; the full reliability
// profile (SANKSI_RELIABILITY_FULL=1) 5,000. SANKSI_FUZZ_SEED replays a run.
const FULL = process.env.SANKSI_RELIABILITY_FULL === '1';
const RUNS = Number(process.env.SANKSI_IMPORT_FUZZ_RUNS ?? (FULL ? 5_000 : 300));
const SEED = Number(process.env.SANKSI_FUZZ_SEED ?? 20_220_720);

const hostile = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '-',
    '"',
    '""',
    '","',
    '\n',
    '\r\n',
    '\r',
    '\t',
    '\u0000',
    '\u001b[2J',
    '\ufeff',
    '\u202e',
    '\ud800',
    '😀',
    '__proto__',
    'constructor',
    'NaN',
    '-1',
    '1e309',
    '99999999999999999999',
    '0000-00-00',
    '2022-02-29',
    '9999-12-31',
    '+275760-09-13T00:00:00Z',
    'a'.repeat(5000),
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

const date = fc
  .date({ min: new Date('2018-01-01T00:00:00Z'), max: new Date('2024-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const instant = fc
  .date({ min: new Date('2022-06-01T00:00:00Z'), max: new Date('2024-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const registrationNumber = fc
  .tuple(
    fc.integer({ min: 0, max: 999_999 }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 1, max: 12 }),
    date,
  )
  .map(
    ([n, s, m, d]) =>
      `${String(n).padStart(6, '0')}.${String(s).padStart(2, '0')}/DJAI.PSE/${String(m).padStart(2, '0')}/${d.slice(0, 4)}`,
  );
const website = fc.oneof(
  fc.constantFrom(
    'tokopedia.com',
    'https://www.tokopedia.com/',
    'tokopedia.com, m.tokopedia.com',
    'https://play.google.com/store/apps/details?id=com.example',
    'https://apps.apple.com/id/app/example/id123456',
    '127.0.0.1',
    'http://[::1]/',
    'co.id',
    'localhost',
    '-',
    '',
    'xn--80ak6aa92e.com',
    'пример.рф',
    'EXAMPLE.COM.',
    '*.example.com',
    'example..com',
    `${'a'.repeat(64)}.com`,
  ),
  fc.array(fc.oneof(fc.domain(), hostile), { maxLength: 4 }).map((parts) => parts.join(', ')),
);

const systemId = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 60 }).map(String), weight: 8 },
  { arbitrary: fc.constantFrom('0', '007', '9007199254740993', '-1', 'x1', ''), weight: 1 },
);
/** One registry row as the snapshot has it; each field valid-looking, or now and then hostile. */
const registryRow = fc.record({
  system_id: systemId,
  registration_id: fc.oneof(fc.uuid(), hostile),
  origin: fc.oneof(
    { arbitrary: fc.constantFrom('LOKAL', 'ASING'), weight: 8 },
    { arbitrary: hostile, weight: 1 },
  ),
  status: fc.oneof(
    {
      arbitrary: fc.constantFrom('TERDAFTAR', 'SUSPENDED_BY_TAKEL', 'SUSPENDED_BY_PAI', 'DICABUT'),
      weight: 8,
    },
    { arbitrary: hostile, weight: 1 },
  ),
  name: fc.oneof(
    fc.constantFrom('PT. Contoh\tIndonesia', 'Toko Online'),
    fc.string({ minLength: 1, maxLength: 20 }),
    hostile,
  ),
  website,
  sector: fc.oneof(fc.constantFrom('Perdagangan', '-', ''), hostile),
  company: fc.oneof(fc.constantFrom('PT. Contoh', '-', ''), hostile),
  registered_on: fc.oneof({ arbitrary: date, weight: 6 }, { arbitrary: hostile, weight: 1 }),
  registration_number: fc.oneof(
    { arbitrary: registrationNumber, weight: 6 },
    { arbitrary: hostile, weight: 1 },
  ),
});
const changeRow = fc
  .tuple(
    fc.oneof({ arbitrary: instant, weight: 6 }, { arbitrary: hostile, weight: 1 }),
    fc.oneof(
      { arbitrary: fc.constantFrom('appeared', 'status_changed', 'disappeared'), weight: 6 },
      { arbitrary: hostile, weight: 1 },
    ),
    registryRow,
  )
  .map(([observed_at, change, row]) => ({ observed_at, change, ...row }));

/** A CSV field as a writer would quote it — or, now and then, as a broken writer would not. */
const csvField = (value: string, careless: boolean) =>
  !careless && /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/** A whole file: the header (complete, shuffled, short of a column, or with extras) and its rows. */
function csvFile(
  columns: readonly string[],
  row: fc.Arbitrary<Record<string, string>>,
): fc.Arbitrary<string> {
  return fc.oneof(
    {
      arbitrary: fc
        .record({
          header: fc.oneof(
            { arbitrary: fc.shuffledSubarray([...columns], { minLength: columns.length }), weight: 20 },
            { arbitrary: fc.shuffledSubarray([...columns]), weight: 1 },
            {
              arbitrary: fc
                .tuple(fc.constantFrom(...columns), fc.constantFrom('__proto__', 'extra', 'system_id', ''))
                .map(([c, extra]) => [...columns.filter((x) => x !== c), c, extra]),
              weight: 1,
            },
          ),
          rows: fc.array(row, { maxLength: 25 }),
          careless: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
          eol: fc.constantFrom('\n', '\r\n', '\n', '\r\n', '\n', '\r\n', '\n', '\r\n', '\n', '\r'),
          bom: fc.boolean(),
          truncate: fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 19 },
            { arbitrary: fc.nat(), weight: 1 },
          ),
          extraFields: fc.boolean(),
        })
        .map(({ header, rows, careless, eol, bom, truncate, extraFields }) => {
          const lines = [
            header.join(','),
            ...rows.map((r, i) =>
              [
                ...header.map((h) => csvField(r[h] ?? '', careless && i % 3 === 0)),
                ...(extraFields && i % 5 === 4 ? ['surplus'] : []),
              ].join(','),
            ),
          ];
          const text = `${bom ? '\ufeff' : ''}${lines.join(eol)}${eol}`;
          return truncate === undefined ? text : text.slice(0, truncate % (text.length + 1));
        }),
      weight: 30,
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 400 }), weight: 1 },
  );
}

const snapshotFile = csvFile(SNAPSHOT_COLUMNS, registryRow);
const changesFile = csvFile(CHANGES_COLUMNS, changeRow);

describe('fuzzing the registry CSV import', () => {
  it(`given ${RUNS} generated snapshot and changes files (seed ${SEED}), then a plan that accounts for every row, or a RegistryImportError`, () => {
    const outcomes = { plans: 0, refused: 0, systems: 0, rejected: 0 };
    const refusedBy: Record<string, number> = {};
    fc.assert(
      fc.property(snapshotFile, changesFile, (snapshot, changes) => {
        let plan: ReturnType<typeof buildImportPlan>;
        try {
          plan = buildImportPlan(snapshot, changes);
        } catch (e) {
          // The only refusals of a whole file; anything else is a defect.
          expect(e).toBeInstanceOf(RegistryImportError);
          outcomes.refused += 1;
          const code = (e as RegistryImportError).code;
          refusedBy[code] = (refusedBy[code] ?? 0) + 1;
          return;
        }
        outcomes.plans += 1;
        outcomes.systems += plan.systems.length;
        outcomes.rejected += plan.rejected.length;
        // Every snapshot record is imported or rejected with a reason, once.
        const snapshotRecords = parseCsv(snapshot).length - 1;
        expect(plan.stats.snapshotRows).toBe(snapshotRecords);
        expect(
          plan.systems.length + plan.rejected.filter((r) => r.file === 'snapshot-latest.csv').length,
        ).toBe(snapshotRecords);
        expect(plan.stats.systemsImported).toBe(plan.systems.length);
        expect(plan.stats.rowsRejected).toBe(plan.rejected.length);
        // One case per system, under an id the commands accept.
        const pseIds = plan.systems.map((s) => s.pseId);
        expect(new Set(pseIds).size).toBe(pseIds.length);
        for (const s of plan.systems) {
          expect(s.pseId).toMatch(/^reg-\d+$/);
          // Commands refuse control characters in text (docs/architecture.md): the import must not hand them any.
          for (const text of [s.identification.name, s.identification.company, s.identification.sector]) {
            if (text !== null) expect(text).not.toMatch(/\p{Cc}/u);
          }
          expect(s.identification.name.length).toBeGreaterThan(0);
          for (const step of s.steps) {
            expect(Number.isFinite(Date.parse(step.occurredAt))).toBe(true);
            expect(Number.isFinite(Date.parse(step.recordedAt))).toBe(true);
            if ('registrationNumber' in step) expect(step.registrationNumber).toMatch(REGISTRATION_NUMBER_RE);
          }
        }
        for (const r of plan.rejected) expect(r.detail.length).toBeGreaterThan(0);
        // The same files give the same plan.
        expect(JSON.stringify(buildImportPlan(snapshot, changes))).toBe(JSON.stringify(plan));
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(
      `registry import fuzz: ${RUNS} file pairs (seed ${SEED}): ${JSON.stringify(outcomes)}, refused by ${JSON.stringify(refusedBy)}`,
    );
    // Both outcomes were reached: the generator is not stuck on refusals.
    expect(outcomes.plans).toBeGreaterThan(RUNS / 2);
    expect(outcomes.systems).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
