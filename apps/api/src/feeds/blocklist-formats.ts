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

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The content type of a blocklist format. */
export function blocklistContentType(format: BlocklistFormat): string {
  return CONTENT_TYPES[format];
}

/**
 * Renders the blocklist for internet providers: plain domains, a hosts file, a DNS response-policy
 * zone (RPZ: each domain and its subdomains answer NXDOMAIN), or CSV. `serial` is the feed position.
 */
export function renderBlocklist(
  format: Exclude<BlocklistFormat, 'json'>,
  entries: BlocklistEntry[],
  serial: number,
): string {
  const domains = [...new Set(entries.map((e) => e.domain))].sort();
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
      return `domain,pseId,since\n${[...entries]
        .sort((a, b) => a.domain.localeCompare(b.domain))
        .map((e) => `${csvField(e.domain)},${csvField(e.pseId)},${csvField(e.since)}\n`)
        .join('')}`;
    default: {
      const never: never = format;
      throw new RangeError(`unknown blocklist format ${String(never)}`);
    }
  }
}
