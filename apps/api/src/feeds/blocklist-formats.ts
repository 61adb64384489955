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

/** A published IP address as it sorts: IPv4 before IPv6, then by value. */
function ipSortKey(ip: string): string {
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
function ipsLeftOut(count: number): string {
  if (count === 0) return '';
  const addresses = count === 1 ? 'IP address' : 'IP addresses';
  return `# ${count} blocked ${addresses} left out: this format carries host names only (rpz, csv and json carry them)\n`;
}

/** A published entry in the order every format lists it, with the lines kept that a rendering repeats. */
interface ListedEntry {
  /** Domains: the host name, then the case; IPs: `ipSortKey`, then the case (NUL between). */
  order: string;
  /** The host name or the IP address. */
  address: string;
  published: PublishedBlocklistEntry;
  /** The entry as the API's JSON list writes it. */
  json: string;
}

const byOrder = (a: ListedEntry, b: ListedEntry): number =>
  a.order < b.order ? -1 : a.order > b.order ? 1 : 0;

/** Where an entry of `order` is, or would go, in a list sorted by `order` (binary search). */
function indexOf(list: readonly ListedEntry[], order: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].order < order) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Past this many changes at once, the lists are sorted again whole rather than edited entry by entry. */
const RESORT_AT = 512;

/**
 * The blocklist as published, kept in the order every format lists it: host names (by name, then case)
 * before IP addresses (IPv4 before IPv6, by value, then case). Each entry is checked against the
 * host-name and IP rules once, when it arrives (`onDropped` hears of those left out), so a rendering
 * after a change only concatenates kept lines instead of checking and sorting the whole list again — the
 * API keeps one up to date from the change feed (`BlocklistMirror`), the CLI renders a stored list with
 * `renderBlocklist`.
 */
export class PublishedBlocklist {
  /** Every stored entry by case and address; `null` for one the rules leave out. */
  private readonly entries = new Map<string, ListedEntry | null>();
  private domains: ListedEntry[] = [];
  private ips: ListedEntry[] = [];

  constructor(private readonly onDropped?: OnDroppedEntry) {}

  /** A list of stored entries (each told once, in the order given, to `onDropped` if the rules leave it out). */
  static of(entries: readonly BlocklistEntry[], onDropped?: OnDroppedEntry): PublishedBlocklist {
    const list = new PublishedBlocklist(onDropped);
    list.apply(entries.map((entry) => ({ action: 'add', entry })));
    return list;
  }

  /** The number of published entries (host names and IP addresses, each once per case). */
  get size(): number {
    return this.domains.length + this.ips.length;
  }

  /** Applies change-feed lines in order: an entry is added (its `since` as shown) or removed. */
  apply(changes: readonly { action: 'add' | 'remove'; entry: BlocklistEntry }[]): void {
    const edit = changes.length < RESORT_AT;
    for (const { action, entry } of changes) {
      const key = `${entry.kind ?? 'domain'}\u0000${entry.domain}\u0000${entry.pseId}`;
      const was = this.entries.get(key);
      if (was && edit) this.removeListed(was);
      this.entries.delete(key);
      if (action === 'remove') continue;
      const listed = this.listed(entry);
      this.entries.set(key, listed);
      if (listed && edit) this.insertListed(listed);
    }
    if (!edit) this.sortAgain();
  }

  /** The published entries, host names first (the JSON lists' `entries`). */
  published(): PublishedBlocklistEntry[] {
    return [...this.domains, ...this.ips].map((e) => e.published);
  }

  /** The API's JSON list: `{position, entries}` as `JSON.stringify` writes it, from the kept entries. */
  apiJson(position: number): string {
    const entries = [...this.domains, ...this.ips].map((e) => e.json).join(',');
    return `{"position":${position},"entries":[${entries}]}`;
  }

  /** One of the formats for internet providers (`renderBlocklist`), `serial` being the feed position. */
  render(format: BlocklistFormat, serial: number): string {
    const names = distinctAddresses(this.domains);
    const ips = distinctAddresses(this.ips);
    switch (format) {
      case 'txt':
        return `${ipsLeftOut(ips.length)}${names.map((d) => `${d}\n`).join('')}`;
      case 'hosts':
        return `# Sanksi blocklist, position ${serial}\n${ipsLeftOut(ips.length)}${names.map((d) => `0.0.0.0 ${d}\n`).join('')}`;
      case 'rpz':
        return [
          '$TTL 300\n',
          `@ IN SOA localhost. hostmaster.localhost. ( ${serial} 3600 600 86400 300 )\n`,
          '@ IN NS localhost.\n',
          ...names.map((d) => `${d} CNAME .\n*.${d} CNAME .\n`),
          ...ips.map((ip) => `${rpzIpTrigger(ip)} CNAME .\n`),
        ].join('');
      case 'csv':
        // One address per row: a domain row leaves ip empty, an IP row leaves domain empty.
        return `domain,pseId,since,ip\n${[
          ...this.domains.map(
            ({ address, published: e }) =>
              `${csvField(address)},${csvField(e.pseId)},${csvField(e.since)},\n`,
          ),
          ...this.ips.map(
            ({ address, published: e }) =>
              `,${csvField(e.pseId)},${csvField(e.since)},${csvField(address)}\n`,
          ),
        ].join('')}`;
      case 'json':
        return `${JSON.stringify({ position: serial, count: this.size, entries: this.published() }, null, 2)}\n`;
      default: {
        const never: never = format;
        throw new RangeError(`unknown blocklist format ${String(never)}`);
      }
    }
  }

  /** The entry as listed, or `null` (told to `onDropped`) when the host-name or IP rule leaves it out. */
  private listed(entry: BlocklistEntry): ListedEntry | null {
    const published = publishableEntry(entry);
    if ('refused' in published) {
      this.onDropped?.(published.refused);
      return null;
    }
    const address = 'ip' in published ? published.ip : published.domain;
    const order = `${'ip' in published ? ipSortKey(address) : address}\u0000${published.pseId}`;
    return { order, address, published, json: JSON.stringify(published) };
  }

  private listOf(entry: ListedEntry): ListedEntry[] {
    return 'ip' in entry.published ? this.ips : this.domains;
  }

  private insertListed(entry: ListedEntry): void {
    const list = this.listOf(entry);
    list.splice(indexOf(list, entry.order), 0, entry);
  }

  private removeListed(entry: ListedEntry): void {
    const list = this.listOf(entry);
    const at = indexOf(list, entry.order);
    if (list[at] === entry) list.splice(at, 1);
  }

  private sortAgain(): void {
    const all = [...this.entries.values()].filter((e): e is ListedEntry => e !== null);
    this.domains = all.filter((e) => !('ip' in e.published)).sort(byOrder);
    this.ips = all.filter((e) => 'ip' in e.published).sort(byOrder);
  }
}

/** The addresses of a sorted list, each once (two cases may list the same host name). */
function distinctAddresses(list: readonly ListedEntry[]): string[] {
  const out: string[] = [];
  for (const { address } of list) if (out[out.length - 1] !== address) out.push(address);
  return out;
}

/**
 * Renders the blocklist for internet providers: plain domains, a hosts file, a DNS response-policy
 * zone (RPZ: each domain and its subdomains answer NXDOMAIN, and an answer holding a blocked IP address
 * is answered NXDOMAIN by the rpz-ip trigger), CSV, or JSON. txt and hosts cannot carry IP addresses:
 * they say in a comment line how many they leave out. `serial` is the feed position. Entries whose
 * domain is no host name, or whose IP is no public IP address, are left out and reported to `onDropped`.
 */
export function renderBlocklist(
  format: BlocklistFormat,
  entries: readonly BlocklistEntry[],
  serial: number,
  onDropped?: OnDroppedEntry,
): string {
  return PublishedBlocklist.of(entries, onDropped).render(format, serial);
}
