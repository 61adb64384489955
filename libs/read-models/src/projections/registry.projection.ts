import type { ReadModelEvent } from '../events/read-model-event';

/** Status of a certificate on the public register. */
export type RegistryStatus = 'active' | 'suspended' | 'revoked';

/** One row of `registry`: a certificate on the public register, like the ministry's public site. */
export interface RegistryRow {
  pseId: string;
  registrationNumber: string;
  name: string;
  company: string | null;
  sector: string | null;
  origin: 'domestic' | 'foreign';
  domains: string[];
  status: RegistryStatus;
  registeredAt: string;
  updatedAt: string;
}

/** Folds one event into a case's register entry; a case appears once it holds a certificate. */
export function projectRegistryEntry(
  row: RegistryRow | undefined,
  event: ReadModelEvent,
): RegistryRow | undefined {
  const s = event.state;
  const number = s.registrationNumber ?? row?.registrationNumber;
  if (!number) return undefined;
  const status: RegistryStatus =
    s.state === 'suspended'
      ? 'suspended'
      : s.state === 'revoked' || s.registrationNumber === null
        ? 'revoked'
        : 'active';
  const sameCertificate = row !== undefined && row.registrationNumber === number;
  return {
    pseId: event.pseId,
    registrationNumber: number,
    name: s.name,
    company: s.company,
    sector: s.sector,
    origin: s.origin,
    domains: [...s.domains],
    status,
    registeredAt: sameCertificate ? row.registeredAt : event.occurredAt,
    updatedAt: event.occurredAt,
  };
}
