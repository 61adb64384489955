import type { AddressRefusalReason, UnnormalisedAddress } from '@sanksi/domain';
import type { RegistryStatus } from './registry-rows.schema';

/** Where a step or rejection came from, for tracing back to the file. */
export interface SourceRef {
  file: 'snapshot-latest.csv' | 'changes.csv';
  /** 1-based line on which the CSV record starts. */
  line: number;
}

/** Who/what the system is: becomes the case's identification when it is opened. */
export interface ImportedIdentification {
  name: string;
  origin: 'domestic' | 'foreign';
  /** Blockable host names (may be empty: the system is imported all the same). */
  domains: string[];
  /** Google Play package names and App Store `idNNN`s named in the `website` field. */
  appIds: string[];
  /** Public IP addresses named in the `website` field. */
  ipAddresses: string[];
  /** Parts of the `website` field that are none of these (`-`, words, private IPs...), with reasons. */
  unnormalisedAddresses: UnnormalisedAddress[];
  company: string | null;
  sector: string | null;
}

interface TimedStep {
  /** Business time: when it happened (for crawl-observed changes, the crawl time is all we know). */
  occurredAt: string;
  /** When the registry crawl showed it. */
  recordedAt: string;
  source: SourceRef;
}

/** The system was registered (tanda daftar PSE issued): the first valid certificate the crawl showed. */
export interface RegistrationConfirmedStep extends TimedStep {
  kind: 'registrationConfirmed';
  registrationNumber: string;
  /** `registered_on` as given, `YYYY-MM-DD`; `occurredAt` is its start in WIB. */
  registeredOn: string;
}
/** The crawl showed a re-issued certificate; `registeredOn` is the new certificate's date. */
export interface RegistrationNumberChangedStep extends TimedStep {
  kind: 'registrationNumberChanged';
  registrationNumber: string;
  previousRegistrationNumber: string;
  registeredOn: string;
}
/** The registry showed the system suspended (dihentikan sementara). */
export interface SuspendedStep extends TimedStep {
  kind: 'suspended';
  /** TAKEL = the governance directorate, PAI = the application-control directorate. */
  by: 'TAKEL' | 'PAI';
}
/** The registry showed the registration revoked (dicabut). */
export interface RevokedStep extends TimedStep {
  kind: 'revoked';
}
/** The registry showed the system registered again after a suspension or revocation. */
export interface RegistrationRestoredStep extends TimedStep {
  kind: 'registrationRestored';
}
/** Not a status change: the system vanished from or came back to the published registry. */
export interface NoteStep extends TimedStep {
  kind: 'note';
  note: 'disappeared' | 'reappeared';
  reason: string;
}

/** One plain-data command of the import plan, for the integrator to map to domain commands. */
export type ImportStep =
  | RegistrationConfirmedStep
  | RegistrationNumberChangedStep
  | SuspendedStep
  | RevokedStep
  | RegistrationRestoredStep
  | NoteStep;

/** Everything the import will record for one electronic system. */
export interface ImportedSystem {
  /** `reg-<system_id>`; the case stream is `pse-reg-<system_id>`. */
  pseId: string;
  systemId: number;
  identification: ImportedIdentification;
  /** Status in the latest snapshot. */
  currentStatus: RegistryStatus;
  /** Certificates the crawl showed before the current one (re-issued), oldest first. */
  previousRegistrationNumbers: string[];
  /** Steps in time order (by `occurredAt`, ties in file order). */
  steps: ImportStep[];
}

/** Why a row was not imported. */
export type RejectionReason =
  | 'malformed-row'
  | 'bad-date'
  | 'bad-registration-number'
  | 'bogus'
  | 'duplicate-system'
  | 'disappeared'
  | 'not-in-snapshot';

/** A row (or a system only known from changes) that the import leaves out, and why. */
export interface Rejection extends SourceRef {
  systemId: string | null;
  reason: RejectionReason;
  detail: string;
}

/** Counts for the import report. */
export interface ImportStats {
  snapshotRows: number;
  changesRows: number;
  systemsImported: number;
  rowsRejected: number;
  rejectedByReason: Partial<Record<RejectionReason, number>>;
  /** Up to three `detail`s per reason, in file order, for the report. */
  examplesByReason: Partial<Record<RejectionReason, string[]>>;
  importedByStatus: Partial<Record<RegistryStatus, number>>;
  stepsByKind: Partial<Record<ImportStep['kind'], number>>;
  domains: number;
  appIds: number;
  ipAddresses: number;
  /** Imported with no blockable domain (an app, an IP, or nothing usable). */
  systemsWithoutDomain: number;
  /** Imported with neither a domain nor a public IP: a block of theirs puts nothing on the DNS lists. */
  systemsWithoutBlockableAddress: number;
  /** Pieces of `website` fields that could not be normalised, by reason. */
  unnormalisedAddresses: Partial<Record<AddressRefusalReason, number>>;
  /** `status_changed` rows whose status did not change (another column did); not steps. */
  detailOnlyChangesIgnored: number;
  /** Systems whose last status or certificate in changes.csv differs from the snapshot (should be 0). */
  statusMismatches: number;
  /** Registrations for which no crawl row showed the number; `recordedAt` fell back to `occurredAt`. */
  registrationsWithoutCrawlRow: number;
  /** Registrations the crawl showed before their own `registered_on` date (a registry data quirk). */
  registrationsSeenBeforeRegisteredOn: number;
}

/** The whole import: deterministic for the same input. */
export interface ImportPlan {
  systems: ImportedSystem[];
  rejected: Rejection[];
  stats: ImportStats;
}
