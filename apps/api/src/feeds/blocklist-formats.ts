import { isIPv6 } from 'node:net';
import { normaliseHostname, PublicIpAddress, type HostnameRefusal } from '@sanksi/domain';
import type { BlocklistEntry, BlocklistFeedEntry } from '@sanksi/read-models';

export const BLOCKLIST_FORMATS = ['json', 'txt', 'hosts', 'rpz', 'csv'] as const;
export type BlocklistFormat = (typeof BLOCKLIST_FORMATS)[number];

const CONTENT_TYPES: Record<BlocklistFormat, string> = {
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  hosts: 'text/plain; charset=utf-8',
  rpz: 'text/dns; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** Why a recorded IP entry is not published: it is no public IP address (the rule of its commands). */
export interface IpAddressRefusal {
  rule: 'public-ip';
  message: string;
}

/** A blocklist line left out of a rendering: what it held and the host-name (or IP) rule it broke. */
export interface DroppedBlocklistEntry {
  /** The recorded address, a domain or (kind `ip`) an IP address. */
  domain: string;
  kind?: 'domain' | 'ip';
  pseId: string;
  refusal: HostnameRefusal | IpAddressRefusal;
}

/**
 * An entry as the blocklist publishes it (JSON list, change feed): a host name under `domain`, or a
 * public IP address under `ip` (docs/decisions/0007) — never both, so a consumer that knows only
 * `domain` never reads an IP address as a name.
 */
export type PublishedBlocklistEntry =
  | { domain: string; pseId: string; since: string }
  | { ip: string; pseId: string; since: string };

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
 * One stored entry as published, or why not: a domain entry must be a host name (stored form: A-labels,
 * lower case), an IP entry a public IP address (canonical form).
 */
export function publishableEntry(
  entry: BlocklistEntry,
): PublishedBlocklistEntry | { refused: DroppedBlocklistEntry } {
  const { pseId, since } = entry;
  if (entry.kind === 'ip') {
    const ip = PublicIpAddress.safeParse(entry.domain);
    if (ip.success) return { ip: ip.data, pseId, since };
    const message = ip.error.issues[0]?.message ?? 'not a public IP address';
    return { refused: { domain: entry.domain, kind: 'ip', pseId, refusal: { rule: 'public-ip', message } } };
  }
  const result = normaliseHostname(entry.domain);
  if ('hostname' in result) return { domain: result.hostname, pseId, since };
  return { refused: { domain: entry.domain, pseId, refusal: result.refused } };
}

/**
 * The second line of the host-name and IP rules (the first is at the commands): only entries whose
 * domain is a host name, or whose IP is a public IP address, are published, in their stored form; the
 * rest — history recorded before the rules — are dropped and reported, never written raw into a zone,
 * hosts file or list. Domains come first, each kind in the order given.
 */
export function publishableEntries(
  entries: readonly BlocklistEntry[],
  onDropped?: OnDroppedEntry,
): PublishedBlocklistEntry[] {
  const domains: PublishedBlocklistEntry[] = [];
  const ips: PublishedBlocklistEntry[] = [];
  for (const entry of entries) {
    const published = publishableEntry(entry);
    if ('refused' in published) onDropped?.(published.refused);
    else if ('ip' in published) ips.push(published);
    else domains.push(published);
  }
  return [...domains, ...ips];
}

/** A change-feed line as the API publishes it: `domain` or `ip`, as in `PublishedBlocklistEntry`. */
export type PublishedBlocklistChange = (
  | { position: number; domain: string }
  | { position: number; ip: string }
) & { pseId: string; action: 'add' | 'remove'; at: string };

/** One change-feed line as published (its time as given), or why not: the rules of `publishableEntry`. */
export function publishableChange(
  line: BlocklistFeedEntry,
): PublishedBlocklistChange | { refused: DroppedBlocklistEntry } {
  const { position, kind, domain, pseId, action, at } = line;
  const published = publishableEntry({ kind, domain, pseId, since: at });
  if ('refused' in published) return published;
  const address = 'ip' in published ? { ip: published.ip } : { domain: published.domain };
  return { position, ...address, pseId, action, at };
}

/** The 16-bit groups of an IPv6 address, all eight, as numbers. */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const part = (text: string) => (text === '' ? [] : text.split(':').map((g) => parseInt(g, 16)));
  const h = part(head);
  const t = tail === undefined ? [] : part(tail);
  return [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/** Sort order of published IP addresses: IPv4 before IPv6, then by value. */
function compareIps(a: string, b: string): number {
  const key = (ip: string) =>
    isIPv6(ip)
      ? `6${ipv6Groups(ip)
          .map((g) => g.toString(16).padStart(4, '0'))
          .join('')}`
      : `4${ip
          .split('.')
          .map((o) => o.padStart(3, '0'))
          .join('')}`;
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The RPZ trigger name of one address (the response-IP trigger, draft-vixie-dnsop-dns-rpz §4.3):
 * prefix length, then the address reversed — IPv4 octets (`32.4.3.2.1.rpz-ip` for 1.2.3.4/32), or
 * IPv6 groups in their RFC 5952 form with the `::` run written `zz` (`128.57.zz.1.0.db8.2001.rpz-ip`
 * for 2001:db8:0:1::57).
 */
export function rpzIpTrigger(ip: string): string {
  if (!isIPv6(ip)) return `32.${ip.split('.').reverse().join('.')}.rpz-ip`;
  const [head = '', tail] = ip.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const reversed =
    tail === undefined
      ? groups(head).reverse()
      : [...groups(tail).reverse(), 'zz', ...groups(head).reverse()];
  return `128.${reversed.join('.')}.rpz-ip`;
}

/** The comment a host-name-only format carries when it leaves IP entries out (none when there are none). */
function ipsLeftOut(count: number): string {
  if (count === 0) return '';
  const addresses = count === 1 ? 'IP address' : 'IP addresses';
  return `# ${count} blocked ${addresses} left out: this format carries host names only (rpz, csv and json carry them)\n`;
}

/**
 * Renders the blocklist for internet providers: plain domains, a hosts file, a DNS response-policy
 * zone (RPZ: each domain and its subdomains answer NXDOMAIN, and an answer holding a blocked IP address
 * is answered NXDOMAIN by the rpz-ip trigger), CSV, or JSON. txt and hosts cannot carry IP addresses:
 * they say in a comment line how many they leave out. `serial` is the feed position. Entries whose
 * domain is no host name, or whose IP is no public IP address, are left out and reported to `onDropped`.
 */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function renderBlocklist(
  format: BlocklistFormat,
  entries: readonly BlocklistEntry[],
  serial: number,
  onDropped?: OnDroppedEntry,
): string {
  const published = publishableEntries(entries, onDropped);
  const domainEntries = published.filter((e) => 'domain' in e);
  const ipEntries = published.filter((e) => 'ip' in e);
  const domains = [...new Set(domainEntries.map((e) => e.domain))].sort();
  const ips = [...new Set(ipEntries.map((e) => e.ip))].sort(compareIps);
  switch (format) {
    case 'txt':
      return `${ipsLeftOut(ips.length)}${domains.map((d) => `${d}\n`).join('')}`;
    case 'hosts':
      return `# Sanksi blocklist, position ${serial}\n${ipsLeftOut(ips.length)}${domains.map((d) => `0.0.0.0 ${d}\n`).join('')}`;
    case 'rpz':
      return [
        '$TTL 300',
        `@ IN SOA localhost. hostmaster.localhost. ( ${serial} 3600 600 86400 300 )`,
        '@ IN NS localhost.',
        ...domains.flatMap((d) => [`${d} CNAME .`, `*.${d} CNAME .`]),
        ...ips.map((ip) => `${rpzIpTrigger(ip)} CNAME .`),
        '',
      ].join('\n');
    case 'csv':
      // One address per row: a domain row leaves ip empty, an IP row leaves domain empty.
      return `domain,pseId,since,ip\n${[
        ...[...domainEntries]
          // Code-point order, as every other format sorts (locale order ignores hyphens), then by case.
          .sort((a, b) => byCodePoint(a.domain, b.domain) || byCodePoint(a.pseId, b.pseId))
          .map((e) => `${csvField(e.domain)},${csvField(e.pseId)},${csvField(e.since)},\n`),
        ...[...ipEntries]
          .sort((a, b) => compareIps(a.ip, b.ip))
          .map((e) => `,${csvField(e.pseId)},${csvField(e.since)},${csvField(e.ip)}\n`),
      ].join('')}`;
    case 'json':
      return `${JSON.stringify({ position: serial, count: published.length, entries: published }, null, 2)}\n`;
    default: {
      const never: never = format;
      throw new RangeError(`unknown blocklist format ${String(never)}`);
    }
  }
}
