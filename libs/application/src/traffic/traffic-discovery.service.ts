import { normaliseHostnameForMatching, PSE_ID_MAX_LENGTH, type PolicyId } from '@sanksi/domain';
import type { RankedDiscoveryCandidate, ReadModelStore } from '@sanksi/read-models';
import type { CaseCommandService, CommandContext, CommandOutcome } from '../cases/case-command.service';

/** The candidate asked for is not one: no traffic was observed for it, or a case already covers it. */
export class DiscoveryCandidateNotFound extends Error {
  readonly code = 'DISCOVERY_CANDIDATE_NOT_FOUND';
  constructor(
    readonly domain: string,
    readonly period: string | null,
  ) {
    super(
      `${domain} is not a discovery candidate${period ? ` in ${period}` : ''}: no traffic was observed for it, or a case already covers it`,
    );
    this.name = 'DiscoveryCandidateNotFound';
  }
}

/** The domain given to open a case from is not an address traffic could be recorded for. */
export class DiscoveryDomainInvalid extends Error {
  readonly code = 'DISCOVERY_DOMAIN_INVALID';
  constructor(
    readonly domain: string,
    readonly reason: string,
  ) {
    super(`not a domain: ${reason}`);
    this.name = 'DiscoveryDomainInvalid';
  }
}

/** What an operator may say when opening a case from a candidate; the rest comes from the observation. */
export interface OpenFromDiscovery {
  domain: string;
  /** The period of the observation to cite (default: the domain's latest). */
  period?: string;
  pseId?: string;
  name?: string;
  origin?: 'domestic' | 'foreign';
  policy?: PolicyId;
}

/** The case id a discovered domain gets unless the operator names one: `traffic-<domain>`, cut to the limit. */
export function discoveredCaseId(domain: string): string {
  return `traffic-${domain}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, PSE_ID_MAX_LENGTH);
}

/** The address as the key traffic was recorded under (the ingest's normaliser), and what kind it is. */
export function discoveryKey(domain: string): { key: string; kind: 'hostname' | 'ip-address' | 'app-id' } {
  const result = normaliseHostnameForMatching(domain);
  if ('refused' in result) throw new DiscoveryDomainInvalid(domain, result.refused.message);
  return result;
}

/**
 * Turns a discovery candidate into a case: `IdentifyPse` with source `traffic-monitoring` and the
 * observation as evidence. Refused (DiscoveryCandidateNotFound) when the read models know no traffic
 * for the domain or a case covers it already.
 */
export async function openCaseFromDiscovery(
  deps: { commands: CaseCommandService; readModels: ReadModelStore },
  request: OpenFromDiscovery,
  context: CommandContext,
): Promise<{ outcome: CommandOutcome; candidate: RankedDiscoveryCandidate }> {
  const { key: domain, kind } = discoveryKey(request.domain);
  const candidates = await deps.readModels.findDiscoveryCandidates({
    ...(request.period ? { period: request.period } : {}),
    domain,
    limit: 1,
  });
  const candidate = candidates[0];
  if (!candidate || candidate.domain !== domain)
    throw new DiscoveryCandidateNotFound(domain, request.period ?? null);
  const outcome = await deps.commands.execute(
    {
      type: 'IdentifyPse',
      pseId: request.pseId ?? discoveredCaseId(domain),
      name: request.name ?? domain,
      origin: request.origin ?? 'foreign',
      // A mobile app or an IP address is a case all the same, with nothing to block by name.
      domains: kind === 'hostname' ? [domain] : [],
      ...(kind === 'ip-address' ? { ipAddresses: [domain] } : {}),
      ...(kind === 'app-id' ? { appIds: [domain] } : {}),
      company: null,
      sector: null,
      ...(request.policy ? { policy: request.policy } : {}),
      source: 'traffic-monitoring',
      evidence: {
        domain: candidate.domain,
        period: candidate.period,
        visits: candidate.visits,
        rank: candidate.rank,
        source: candidate.sources.join(',') || 'unknown',
      },
    },
    context,
  );
  return { outcome, candidate };
}
