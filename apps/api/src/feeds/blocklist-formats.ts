import { normaliseHostname, type HostnameRefusal } from '@sanksi/domain';
import type { BlocklistEntry } from '@sanksi/read-models';

export const BLOCKLIST_FORMATS = ['json', 'txt', 'hosts', 'rpz', 'csv'] as const;
export type BlocklistFormat = (typeof BLOCKLIST_FORMATS)[number];

const CONTENT_TYPES: Record<BlocklistFormat, string> = {
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  hosts: 'text/plain; charset=utf-8',
  rpz: 'text/dns; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** A blocklist line left out of a rendering: what it held and the host-name rule it broke. */
export interface DroppedBlocklistEntry {
  domain: string;
  pseId: string;
  refusal: HostnameRefusal;
}

/** Told of every entry a rendering leaves out (the API logs a warning, the CLI writes one to stderr). */
export type OnDroppedEntry = (dropped: DroppedBlocklistEntry) => void;

const CONTROL = /\p{Cc}/gu;
// A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@]/;

/** A CSV field (RFC 4180): control characters spelled out, formulas defused, quoted when needed. */
function csvField(value: string): string {
  let v = value.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (FORMULA_START.test(v)) v = `'${v}`;
  return /[",]/.test(v) || v !== value ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The content type of a blocklist format. */
export function blocklistContentType(format: BlocklistFormat): string {
  return CONTENT_TYPES[format];
}

/**
 * The second line of the host-name rule (the first is at the commands): only entries whose domain is a
 * host name are published, in its stored form (A-labels, lower case); the rest — history recorded before
 * the rule — are dropped and reported, never written raw into a zone, hosts file or list.
 */
export function publishableEntries(
  entries: readonly BlocklistEntry[],
  onDropped?: OnDroppedEntry,
): BlocklistEntry[] {
  const kept: BlocklistEntry[] = [];
  for (const entry of entries) {
    const result = normaliseHostname(entry.domain);
    if ('hostname' in result) kept.push({ ...entry, domain: result.hostname });
    else onDropped?.({ domain: entry.domain, pseId: entry.pseId, refusal: result.refused });
  }
  return kept;
}

/**
 * Renders the blocklist for internet providers: plain domains, a hosts file, a DNS response-policy
 * zone (RPZ: each domain and its subdomains answer NXDOMAIN), CSV, or JSON. `serial` is the feed
 * position. Entries whose domain is no host name are left out and reported to `onDropped`.
 */
export function renderBlocklist(
  format: BlocklistFormat,
  entries: readonly BlocklistEntry[],
  serial: number,
  onDropped?: OnDroppedEntry,
): string {
  const published = publishableEntries(entries, onDropped);
  const domains = [...new Set(published.map((e) => e.domain))].sort();
  switch (format) {
    case 'txt':
      return domains.map((d) => `${d}\n`).join('');
    case 'hosts':
      return `# Sanksi blocklist, position ${serial}\n${domains.map((d) => `0.0.0.0 ${d}\n`).join('')}`;
    case 'rpz':
      return [
        '$TTL 300',
        `@ IN SOA localhost. hostmaster.localhost. ( ${serial} 3600 600 86400 300 )`,
        '@ IN NS localhost.',
        ...domains.flatMap((d) => [`${d} CNAME .`, `*.${d} CNAME .`]),
        '',
      ].join('\n');
    case 'csv':
      return `domain,pseId,since\n${[...published]
        .sort((a, b) => a.domain.localeCompare(b.domain))
        .map((e) => `${csvField(e.domain)},${csvField(e.pseId)},${csvField(e.since)}\n`)
        .join('')}`;
    case 'json':
      return `${JSON.stringify({ position: serial, count: published.length, entries: published }, null, 2)}\n`;
    default: {
      const never: never = format;
      throw new RangeError(`unknown blocklist format ${String(never)}`);
    }
  }
}
