import type { ReadModelEvent } from '../events/read-model-event';

/**
 * What a blocklist listing names: a host name, or a public IP address of a case that has one
 * (docs/decisions/0007: a case may have IPs and no domain; providers block those by IP).
 */
export type BlocklistEntryKind = 'domain' | 'ip';

/** One listing of a case: `domain` holds the address (a host name, or an IP address for kind `ip`). */
export interface CaseBlocklistListing {
  domain: string;
  kind: BlocklistEntryKind;
  since: string;
  position: number;
}

/** A case's part of the blocklist: its domains and IP addresses, each with when it went on the list. */
export interface CaseBlocklistEntry {
  pseId: string;
  domains: CaseBlocklistListing[];
}

/** One line of the blocklist change feed (`domain` holds the address, an IP address for kind `ip`). */
export interface BlocklistChange {
  position: number;
  domain: string;
  kind: BlocklistEntryKind;
  pseId: string;
  action: 'add' | 'remove';
  at: string;
  eventId: string;
}

/** Domains as providers match them: trimmed, lower case, no trailing dot, each once. */
export function normaliseDomains(domains: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const d of domains) {
    const n = d.trim().toLowerCase().replace(/\.$/, '');
    if (n.length > 0) seen.add(n);
  }
  return [...seen];
}

/** IP addresses as recorded (the domain stores them canonical): trimmed, lower case, each once. */
export function normaliseIpAddresses(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map((a) => a.trim().toLowerCase()).filter((a) => a.length > 0))];
}

/**
 * Folds one event into a case's blocklist entry: the case's domains and public IP addresses are
 * listed exactly when the recorded state says `onBlocklist` (docs/regulation.md §12.3–12.4 are the
 * domain's; this only follows it). A blocked case with neither stays without listings.
 */
export function projectBlocklistEntry(
  entry: CaseBlocklistEntry | undefined,
  event: ReadModelEvent,
): CaseBlocklistEntry | undefined {
  if (!event.state.onBlocklist) return undefined;
  const previous = new Map((entry?.domains ?? []).map((d) => [`${d.kind} ${d.domain}`, d]));
  const listing = (domain: string, kind: BlocklistEntryKind): CaseBlocklistListing =>
    previous.get(`${kind} ${domain}`) ?? { domain, kind, since: event.occurredAt, position: event.position };
  return {
    pseId: event.pseId,
    domains: [
      ...normaliseDomains(event.state.domains).map((d) => listing(d, 'domain')),
      ...normaliseIpAddresses(event.state.ipAddresses ?? []).map((ip) => listing(ip, 'ip')),
    ],
  };
}

/** The change-feed lines between a case's entry before and after an event, removals first. */
export function diffBlocklist(
  before: CaseBlocklistEntry | undefined,
  after: CaseBlocklistEntry | undefined,
  event: ReadModelEvent,
): BlocklistChange[] {
  const key = (d: CaseBlocklistListing) => `${d.kind} ${d.domain}`;
  const was = new Map((before?.domains ?? []).map((d) => [key(d), d]));
  const is = new Map((after?.domains ?? []).map((d) => [key(d), d]));
  const line = (d: CaseBlocklistListing, action: 'add' | 'remove'): BlocklistChange => ({
    position: event.position,
    domain: d.domain,
    kind: d.kind,
    pseId: event.pseId,
    action,
    at: event.occurredAt,
    eventId: event.eventId,
  });
  return [
    ...[...was].filter(([k]) => !is.has(k)).map(([, d]) => line(d, 'remove')),
    ...[...is].filter(([k]) => !was.has(k)).map(([, d]) => line(d, 'add')),
  ];
}
