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
export function csvField(value: string): string {
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
 * lower case), an IP entry a public IP address (canonical form). The second line of the host-name and
 * IP rules (the first is at the commands): history recorded before the rules that breaks them is
 * dropped and reported, never written raw into a zone, hosts file or list.
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

/** A published IP address as it sorts: IPv4 before IPv6, then by value. */
export function ipSortKey(ip: string): string {
  return isIPv6(ip)
    ? `6${ipv6Groups(ip)
        .map((g) => g.toString(16).padStart(4, '0'))
        .join('')}`
    : `4${ip
        .split('.')
        .map((o) => o.padStart(3, '0'))
        .join('')}`;
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
export function ipsLeftOut(count: number): string {
  if (count === 0) return '';
  const addresses = count === 1 ? 'IP address' : 'IP addresses';
  return `# ${count} blocked ${addresses} left out: this format carries host names only (rpz, csv and json carry them)\n`;
}
