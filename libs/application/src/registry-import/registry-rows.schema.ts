import { z } from 'zod';

/** Registration certificate number, `NNNNNN.SS/DJAI.PSE/MM/YYYY`. */
export const REGISTRATION_NUMBER_RE = /^\d{6}\.\d{2}\/DJAI\.PSE\/\d{2}\/\d{4}$/;

/** Registry status as crawled: registered, suspended by TAKEL or PAI, revoked. */
export const RegistryStatus = z.enum(['TERDAFTAR', 'SUSPENDED_BY_TAKEL', 'SUSPENDED_BY_PAI', 'DICABUT']);
export type RegistryStatus = z.infer<typeof RegistryStatus>;

/** LOKAL = domestic operator, ASING = foreign operator. */
export const RegistryOrigin = z.enum(['LOKAL', 'ASING']);
export type RegistryOrigin = z.infer<typeof RegistryOrigin>;

// Shape only: dates, registration numbers and websites are judged by the plan builder so that a
// bad value becomes a reported rejection with a precise reason rather than a generic parse error.
const registryColumns = {
  system_id: z.string().regex(/^\d+$/, 'system_id must be a positive integer'),
  registration_id: z.string(),
  origin: RegistryOrigin,
  status: RegistryStatus,
  name: z.string().trim().min(1, 'name is empty'),
  website: z.string(),
  sector: z.string(),
  company: z.string(),
  registered_on: z.string(),
  registration_number: z.string(),
};

/** One row of `snapshot-latest.csv`. */
export const SnapshotRow = z.object(registryColumns);
export type SnapshotRow = z.infer<typeof SnapshotRow>;

/** One row of `changes.csv`: the crawl time and kind of change, then the row as it stood. */
export const ChangeRow = z.object({
  observed_at: z.iso.datetime({ offset: true }),
  change: z.enum(['appeared', 'status_changed', 'disappeared']),
  ...registryColumns,
});
export type ChangeRow = z.infer<typeof ChangeRow>;

/** Columns `snapshot-latest.csv` must have. */
export const SNAPSHOT_COLUMNS = Object.keys(registryColumns);
/** Columns `changes.csv` must have. */
export const CHANGES_COLUMNS = ['observed_at', 'change', ...SNAPSHOT_COLUMNS];
