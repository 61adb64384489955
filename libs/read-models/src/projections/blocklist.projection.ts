import type { ReadModelEvent } from '../events/read-model-event';

/** A case's part of the blocklist: its domains, each with when it went on the list. */
export interface CaseBlocklistEntry {
  pseId: string;
  domains: Array<{ domain: string; since: string; position: number }>;
}

/** One line of the blocklist change feed. */
export interface BlocklistChange {
  position: number;
  domain: string;
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

/**
 * Folds one event into a case's blocklist entry: the case's domains are listed exactly when the
 * recorded state says `onBlocklist` (docs/regulation.md §12.3–12.4 are the domain's; this only follows it).
 */
export function projectBlocklistEntry(
  entry: CaseBlocklistEntry | undefined,
  event: ReadModelEvent,
): CaseBlocklistEntry | undefined {
  if (!event.state.onBlocklist) return undefined;
  const previous = new Map((entry?.domains ?? []).map((d) => [d.domain, d]));
  return {
    pseId: event.pseId,
    domains: normaliseDomains(event.state.domains).map(
      (domain) => previous.get(domain) ?? { domain, since: event.occurredAt, position: event.position },
    ),
  };
}

/** The change-feed lines between a case's entry before and after an event, removals first. */
export function diffBlocklist(
  before: CaseBlocklistEntry | undefined,
  after: CaseBlocklistEntry | undefined,
  event: ReadModelEvent,
): BlocklistChange[] {
  const was = new Set((before?.domains ?? []).map((d) => d.domain));
  const is = new Set((after?.domains ?? []).map((d) => d.domain));
  const line = (domain: string, action: 'add' | 'remove'): BlocklistChange => ({
    position: event.position,
    domain,
    pseId: event.pseId,
    action,
    at: event.occurredAt,
    eventId: event.eventId,
  });
  return [
    ...[...was].filter((d) => !is.has(d)).map((d) => line(d, 'remove')),
    ...[...is].filter((d) => !was.has(d)).map((d) => line(d, 'add')),
  ];
}
