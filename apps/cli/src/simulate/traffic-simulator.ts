import { SeededRandom } from './seeded-random';

/** What a traffic scenario is made of. */
export interface TrafficScenarioOptions {
  /** How many domains get traffic (up to 1,000,000). */
  domains: number;
  seed: number;
  /** Domains that have cases (the registry's): placed among the top ranks and the rest. */
  registryDomains: readonly string[];
  /** How many high-traffic domains with no case to hide in the top ranks (the ministry found 14 in 2022). */
  unregistered: number;
  /** The top of the ranking the ministry reviews (100 in July 2022): only registry domains and the unregistered ones. */
  top: number;
  period: string;
  source: string;
  /** Visits of rank 1 (default 50,000,000); rank r gets about `topVisits / r`. */
  topVisits?: number;
}

/** One simulated observation. */
export interface SimulatedObservation {
  domain: string;
  period: string;
  visits: number;
  rank: number;
  source: string;
}

/** The scenario's answer key: the unregistered high-traffic domains and the visits of the last reviewed rank. */
export interface TrafficScenario {
  unregistered: Array<{ domain: string; rank: number; visits: number }>;
  /** Visits at rank `top`: `minVisits` of a discovery that should find exactly `unregistered`. */
  threshold: number;
  rows(): Generator<SimulatedObservation>;
}

/** Zipf-like visits (exponent 1): rank r gets `topVisits / r`, so the ranking is the order of visits. */
function visitsAt(rank: number, topVisits: number): number {
  return Math.max(1, Math.floor(topVisits / rank));
}

/**
 * A deterministic traffic scenario: `domains` domains ranked by Zipf-like visits; the top `top` ranks
 * hold `unregistered` domains no case covers (at seeded ranks) and registry domains, every other rank a
 * registry domain or a synthetic long-tail one (`<word>-<n>.example`, below the threshold by construction).
 */
export function trafficScenario(options: TrafficScenarioOptions): TrafficScenario {
  const random = new SeededRandom(options.seed);
  const topVisits = options.topVisits ?? 50_000_000;
  const top = Math.min(options.top, options.domains);
  const unregisteredCount = Math.min(options.unregistered, top);
  const registry = [...new Set(options.registryDomains)];
  // Seeded shuffle of the registry domains: which registered systems are popular changes with the seed.
  for (let i = registry.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [registry[i], registry[j]] = [registry[j] as string, registry[i] as string];
  }
  const unregisteredRanks = new Set<number>();
  while (unregisteredRanks.size < unregisteredCount) unregisteredRanks.add(random.int(1, top));
  const unregistered = [...unregisteredRanks]
    .sort((a, b) => a - b)
    .map((rank, i) => ({
      domain: `unregistered-${options.seed}-${i + 1}.example`,
      rank,
      visits: visitsAt(rank, topVisits),
    }));
  const byRank = new Map(unregistered.map((u) => [u.rank, u.domain]));
  // Registry domains fill the rest of the top, then are spread over the long tail at seeded ranks.
  const tailSlots = Math.max(0, options.domains - top);
  if (registry.length < top - unregisteredCount) {
    // Otherwise synthetic names would fill the top and be candidates the answer key does not list.
    throw new RangeError(
      `the top ${top} needs at least ${top - unregisteredCount} registry domains beside the ${unregisteredCount} unregistered ones; ${registry.length} given`,
    );
  }
  const registryInTop = top - unregisteredCount;
  const tailRegistry = registry.slice(registryInTop);
  const tailRanks = new Map<number, string>();
  for (const domain of tailRegistry) {
    if (tailRanks.size >= tailSlots) break;
    let rank: number;
    do rank = top + random.int(1, tailSlots);
    while (tailRanks.has(rank));
    tailRanks.set(rank, domain);
  }
  const seed = options.seed;
  const domains = options.domains;
  return {
    unregistered,
    threshold: visitsAt(top, topVisits),
    *rows() {
      let nextRegistry = 0;
      for (let rank = 1; rank <= domains; rank++) {
        let domain = byRank.get(rank) ?? tailRanks.get(rank);
        if (domain === undefined && rank <= top && nextRegistry < registryInTop)
          domain = registry[nextRegistry++];
        // Long-tail names no case covers: their ranks are below the top, their visits below the threshold.
        domain ??= `site-${seed}-${rank}.example`;
        yield {
          domain,
          period: options.period,
          visits: visitsAt(rank, topVisits),
          rank,
          source: options.source,
        };
      }
    },
  };
}
