import { normaliseSystemAddress, type SystemAddress } from '@sanksi/domain';
import { parseCsvWithHeader, type CsvRow } from './csv-parser';
import type {
  ImportedSystem,
  ImportPlan,
  ImportStats,
  ImportStep,
  Rejection,
  RejectionReason,
} from './import-plan.types';
import {
  CHANGES_COLUMNS,
  ChangeRow,
  REGISTRATION_NUMBER_RE,
  type RegistryStatus,
  SNAPSHOT_COLUMNS,
  SnapshotRow,
} from './registry-rows.schema';

const SNAPSHOT_FILE = 'snapshot-latest.csv' as const;
const CHANGES_FILE = 'changes.csv' as const;
const EXAMPLES_PER_REASON = 3;

interface LocatedChange {
  line: number;
  row: ChangeRow;
  epochMs: number;
}

function isRealDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/**
 * A registry text as one line: commands refuse control characters (docs/architecture.md), and the
 * published registry has tabs inside a few names (`-<TAB>PT. NANOBIRU INTERNATIONAL INDONESIA`), so each run of
 * them, with the spaces around it, becomes one space.
 */
function oneLine(value: string): string {
  return value.replace(/\s*\p{Cc}+\s*/gu, ' ').trim();
}

function blankToNull(value: string): string | null {
  const trimmed = oneLine(value);
  return trimmed === '' || trimmed === '-' ? null : trimmed;
}

function describeIssues(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
}

/**
 * Whether a system is a test entry: its `website` names nothing usable and something in it is a known
 * placeholder (`abcd.com`, `localhost`). A `-` or a private address alone is not: such PSEs (mobile
 * banking apps, closed services) are imported without a blockable domain.
 */
function isBogus(address: SystemAddress): boolean {
  const usable = address.hostnames.length + address.appIds.length + address.ipAddresses.length;
  return usable === 0 && address.unnormalised.some((u) => u.reason === 'bogus');
}

function statusStep(
  status: RegistryStatus,
  at: string,
  line: number,
): Exclude<ImportStep, { kind: 'registrationConfirmed' | 'registrationNumberChanged' | 'note' }> {
  const base = { occurredAt: at, recordedAt: at, source: { file: CHANGES_FILE, line } };
  switch (status) {
    case 'TERDAFTAR':
      return { kind: 'registrationRestored', ...base };
    case 'SUSPENDED_BY_TAKEL':
      return { kind: 'suspended', by: 'TAKEL', ...base };
    case 'SUSPENDED_BY_PAI':
      return { kind: 'suspended', by: 'PAI', ...base };
    case 'DICABUT':
      return { kind: 'revoked', ...base };
    default: {
      const unhandled: never = status;
      throw new Error(`unhandled registry status ${String(unhandled)}`);
    }
  }
}

function parseChanges(rows: CsvRow[], rejected: Rejection[]): Map<string, LocatedChange[]> {
  const bySystem = new Map<string, LocatedChange[]>();
  for (const { line, values, fieldCountMismatch } of rows) {
    const systemId = /^\d+$/.test(values.system_id ?? '') ? values.system_id : null;
    const reject = (reason: RejectionReason, detail: string): void => {
      rejected.push({ file: CHANGES_FILE, line, systemId, reason, detail });
    };
    if (fieldCountMismatch) {
      reject('malformed-row', 'wrong number of fields');
      continue;
    }
    const parsed = ChangeRow.safeParse(values);
    if (!parsed.success) {
      const badDate = parsed.error.issues.some((i) => i.path[0] === 'observed_at');
      reject(badDate ? 'bad-date' : 'malformed-row', describeIssues(parsed.error));
      continue;
    }
    const list = bySystem.get(parsed.data.system_id) ?? [];
    list.push({ line, row: parsed.data, epochMs: Date.parse(parsed.data.observed_at) });
    bySystem.set(parsed.data.system_id, list);
  }
  // Crawls mix offsets (+00:00 and +08:00), so order by instant; sort is stable for equal times.
  for (const list of bySystem.values()) list.sort((a, b) => a.epochMs - b.epochMs);
  return bySystem;
}

function isValidRegistration(row: { registration_number: string; registered_on: string }): boolean {
  return REGISTRATION_NUMBER_RE.test(row.registration_number) && isRealDate(row.registered_on);
}

const startOfDayWib = (date: string): string => `${date}T00:00:00+07:00`;

function buildSteps(
  snapshot: SnapshotRow,
  snapshotLine: number,
  changes: LocatedChange[],
  stats: ImportStats,
): { steps: ImportStep[]; previousRegistrationNumbers: string[] } {
  // The registration is the first certificate the crawl showed (malformed numbers in early crawls
  // are skipped); later certificates are re-issues, recorded as number changes when seen.
  const first = changes.find((c) => isValidRegistration(c.row));
  if (!first) stats.registrationsWithoutCrawlRow += 1;
  const registration = first ? first.row : snapshot;
  const steps: ImportStep[] = [
    {
      kind: 'registrationConfirmed',
      registrationNumber: registration.registration_number,
      registeredOn: registration.registered_on,
      occurredAt: startOfDayWib(registration.registered_on),
      recordedAt: first ? first.row.observed_at : startOfDayWib(registration.registered_on),
      source: first ? { file: CHANGES_FILE, line: first.line } : { file: SNAPSHOT_FILE, line: snapshotLine },
    },
  ];
  if (first && Date.parse(first.row.observed_at) < Date.parse(startOfDayWib(first.row.registered_on))) {
    stats.registrationsSeenBeforeRegisteredOn += 1;
  }
  let registrationNumber = registration.registration_number;
  const previousRegistrationNumbers: string[] = [];
  // A registration certificate implies the system was registered before any later status.
  let status: RegistryStatus = 'TERDAFTAR';
  let present = true;
  for (const { line, row } of changes) {
    const at = row.observed_at;
    const source = { file: CHANGES_FILE, line };
    if (
      first &&
      row.registration_number !== registrationNumber &&
      isValidRegistration(row) &&
      Date.parse(at) >= first.epochMs
    ) {
      previousRegistrationNumbers.push(registrationNumber);
      steps.push({
        kind: 'registrationNumberChanged',
        registrationNumber: row.registration_number,
        previousRegistrationNumber: registrationNumber,
        registeredOn: row.registered_on,
        occurredAt: at,
        recordedAt: at,
        source,
      });
      registrationNumber = row.registration_number;
    }
    if (row.change === 'disappeared') {
      if (present) {
        steps.push({
          kind: 'note',
          note: 'disappeared',
          reason: 'no longer listed in the published registry at this crawl',
          occurredAt: at,
          recordedAt: at,
          source,
        });
      }
      present = false;
      continue;
    }
    if (row.change === 'appeared' && !present) {
      steps.push({
        kind: 'note',
        note: 'reappeared',
        reason: 'listed again in the published registry at this crawl',
        occurredAt: at,
        recordedAt: at,
        source,
      });
      present = true;
    }
    if (row.status !== status) {
      steps.push(statusStep(row.status, at, line));
      status = row.status;
    } else if (row.change === 'status_changed' && row.registration_number === registrationNumber) {
      stats.detailOnlyChangesIgnored += 1;
    }
  }
  if (status !== snapshot.status || registrationNumber !== snapshot.registration_number) {
    stats.statusMismatches += 1;
  }
  const ordered = steps
    .map((step, index) => ({ step, index, at: Date.parse(step.occurredAt) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map((s) => s.step);
  return { steps: ordered, previousRegistrationNumbers };
}

function emptyStats(snapshotRows: number, changesRows: number): ImportStats {
  return {
    snapshotRows,
    changesRows,
    systemsImported: 0,
    rowsRejected: 0,
    rejectedByReason: {},
    examplesByReason: {},
    importedByStatus: {},
    stepsByKind: {},
    domains: 0,
    appIds: 0,
    ipAddresses: 0,
    systemsWithoutDomain: 0,
    systemsWithoutBlockableAddress: 0,
    unnormalisedAddresses: {},
    detailOnlyChangesIgnored: 0,
    statusMismatches: 0,
    registrationsWithoutCrawlRow: 0,
    registrationsSeenBeforeRegisteredOn: 0,
  };
}

const increment = <K extends string>(counts: Partial<Record<K, number>>, key: K): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/**
 * Turns the registry snapshot and its crawl changes (CSV text, already gunzipped) into an import
 * plan: one `ImportedSystem` per valid snapshot row with its steps in time order, the rows left
 * out with reasons, and counts. Pure and deterministic: the same input gives the same plan.
 */
export function buildImportPlan(snapshotCsvText: string, changesCsvText: string): ImportPlan {
  const snapshotRows = parseCsvWithHeader(snapshotCsvText, SNAPSHOT_FILE, SNAPSHOT_COLUMNS);
  const changeRows = parseCsvWithHeader(changesCsvText, CHANGES_FILE, CHANGES_COLUMNS);
  const stats = emptyStats(snapshotRows.length, changeRows.length);
  const rejected: Rejection[] = [];
  const changesBySystem = parseChanges(changeRows, rejected);
  const seen = new Set<string>();
  const systems: ImportedSystem[] = [];

  for (const { line, values, fieldCountMismatch } of snapshotRows) {
    const systemId = /^\d+$/.test(values.system_id ?? '') ? values.system_id : null;
    const reject = (reason: RejectionReason, detail: string): void => {
      rejected.push({ file: SNAPSHOT_FILE, line, systemId, reason, detail });
    };
    const parsed = SnapshotRow.safeParse(values);
    if (fieldCountMismatch) {
      reject('malformed-row', 'wrong number of fields');
      continue;
    }
    if (!parsed.success) {
      reject('malformed-row', describeIssues(parsed.error));
      continue;
    }
    const row = parsed.data;
    // A name of control characters only (found by fuzzing) would become '' and the case's
    // IdentifyPse would be refused at import time: reject the row here with the reason instead.
    if (oneLine(row.name) === '') {
      reject(
        'malformed-row',
        `name ${JSON.stringify(row.name)} is empty once control characters are removed`,
      );
      continue;
    }
    if (seen.has(row.system_id)) {
      reject('duplicate-system', `system_id ${row.system_id} already imported from an earlier row`);
      continue;
    }
    seen.add(row.system_id);
    if (!isRealDate(row.registered_on)) {
      reject('bad-date', `registered_on ${JSON.stringify(row.registered_on)} is not a real YYYY-MM-DD date`);
      continue;
    }
    if (!REGISTRATION_NUMBER_RE.test(row.registration_number)) {
      reject(
        'bad-registration-number',
        `${JSON.stringify(row.registration_number)} does not match NNNNNN.SS/DJAI.PSE/MM/YYYY`,
      );
      continue;
    }
    const address = normaliseSystemAddress(row.website);
    if (isBogus(address)) {
      reject('bogus', `website ${JSON.stringify(row.website)} of ${JSON.stringify(row.name)}`);
      continue;
    }
    const { steps, previousRegistrationNumbers } = buildSteps(
      row,
      line,
      changesBySystem.get(row.system_id) ?? [],
      stats,
    );
    systems.push({
      pseId: `reg-${row.system_id}`,
      systemId: Number(row.system_id),
      identification: {
        name: oneLine(row.name),
        origin: row.origin === 'LOKAL' ? 'domestic' : 'foreign',
        domains: address.hostnames,
        appIds: address.appIds,
        ipAddresses: address.ipAddresses,
        unnormalisedAddresses: address.unnormalised,
        company: blankToNull(row.company),
        sector: blankToNull(row.sector),
      },
      currentStatus: row.status,
      previousRegistrationNumbers,
      steps,
    });
  }

  // Systems the crawl saw but the snapshot no longer lists: reported once each, never imported.
  for (const [systemId, changes] of changesBySystem) {
    if (seen.has(systemId)) continue;
    const last = changes[changes.length - 1];
    rejected.push({
      file: CHANGES_FILE,
      line: last.line,
      systemId,
      reason: last.row.change === 'disappeared' ? 'disappeared' : 'not-in-snapshot',
      detail: `${JSON.stringify(last.row.name)} last seen ${last.row.change} at ${last.row.observed_at}`,
    });
  }

  systems.sort((a, b) => a.systemId - b.systemId);
  rejected.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file === SNAPSHOT_FILE ? -1 : 1));
  for (const system of systems) {
    stats.systemsImported += 1;
    increment(stats.importedByStatus, system.currentStatus);
    const { domains, appIds, ipAddresses, unnormalisedAddresses } = system.identification;
    stats.domains += domains.length;
    stats.appIds += appIds.length;
    stats.ipAddresses += ipAddresses.length;
    if (domains.length === 0) stats.systemsWithoutDomain += 1;
    if (domains.length === 0 && ipAddresses.length === 0) stats.systemsWithoutBlockableAddress += 1;
    for (const n of unnormalisedAddresses) increment(stats.unnormalisedAddresses, n.reason);
    for (const step of system.steps) increment(stats.stepsByKind, step.kind);
  }
  for (const r of rejected) {
    stats.rowsRejected += 1;
    increment(stats.rejectedByReason, r.reason);
    const examples = (stats.examplesByReason[r.reason] ??= []);
    if (examples.length < EXAMPLES_PER_REASON) examples.push(r.detail);
  }
  return { systems, rejected, stats };
}
