import { createHash } from 'node:crypto';
import type { BlocklistEntry } from '@sanksi/read-models';
import {
  type BlocklistFormat,
  csvField,
  ipSortKey,
  ipsLeftOut,
  type OnDroppedEntry,
  publishableEntry,
  type PublishedBlocklistEntry,
  rpzIpTrigger,
} from './blocklist-formats';

/** A published entry in the order every format lists it. */
interface ListedEntry {
  /**
   * Host names: the name, then the case; IPs: `ipSortKey`, then the case; then the address as stored
   * (two stored forms of one name in a case list it twice, in one order however they arrived). NUL between.
   */
  order: string;
  /** The host name or the IP address. */
  address: string;
  published: PublishedBlocklistEntry;
  /** The entry as the API's JSON list writes it. */
  json: string;
}

/**
 * The version of the formats' bytes: `etag` tags a list by its entries, not its bytes, so a change of what
 * any format writes for the same entries must change this too (a spec pins each format's bytes of one list
 * to this version and fails until both are changed together).
 */
export const RENDERING_VERSION = 1;

/** An entry's part of the list's digest: four 32-bit words of the SHA-256 of its JSON (little-endian everywhere). */
function markOf(entry: ListedEntry): Uint32Array {
  const digest = createHash('sha256').update(entry.json).digest();
  return Uint32Array.of(
    digest.readUInt32LE(0),
    digest.readUInt32LE(4),
    digest.readUInt32LE(8),
    digest.readUInt32LE(12),
  );
}

/** A format's lines of some entries (`json`: the API's entries, comma-separated). */
type Lines = (entries: readonly ListedEntry[]) => string;

/** The addresses of sorted entries, each once (two cases may list the same address). */
function distinct(entries: readonly ListedEntry[]): string[] {
  const out: string[] = [];
  for (const { address } of entries) if (out[out.length - 1] !== address) out.push(address);
  return out;
}

const each =
  (line: (address: string) => string): Lines =>
  (entries) =>
    distinct(entries).map(line).join('');
const jsonEntries: Lines = (entries) => entries.map((e) => e.json).join(',');

const NAME_LINES: Record<BlocklistFormat, Lines> = {
  txt: each((d) => `${d}\n`),
  hosts: each((d) => `0.0.0.0 ${d}\n`),
  rpz: each((d) => `${d} CNAME .\n*.${d} CNAME .\n`),
  // One address per row: a domain row leaves ip empty, an IP row leaves domain empty.
  csv: (entries) =>
    entries
      .map((e) => `${csvField(e.address)},${csvField(e.published.pseId)},${csvField(e.published.since)},\n`)
      .join(''),
  json: jsonEntries,
};
const IP_LINES: Record<BlocklistFormat, Lines> = {
  // txt and hosts carry host names only (a comment line counts the IPs left out).
  txt: () => '',
  hosts: () => '',
  rpz: each((ip) => `${rpzIpTrigger(ip)} CNAME .\n`),
  csv: (entries) =>
    entries
      .map((e) => `,${csvField(e.published.pseId)},${csvField(e.published.since)},${csvField(e.address)}\n`)
      .join(''),
  json: jsonEntries,
};

/** A run of neighbouring entries, with each format's bytes of them kept until one of them changes. */
interface Block {
  entries: ListedEntry[];
  kept: Map<BlocklistFormat, Buffer>;
}

/** Where an entry of `order` is, or would go, among entries sorted by `order` (binary search). */
function indexIn(entries: readonly ListedEntry[], order: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid].order < order) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Entries sorted by `order`, in blocks of at most `blockSize`, no address split across two blocks (so a
 * block's distinct addresses are the list's). A change touches one block; a rendering concatenates the
 * kept bytes of the others.
 */
class SortedBlocks {
  private blocks: Block[] = [];
  private count = 0;

  constructor(
    private readonly lines: Record<BlocklistFormat, Lines>,
    private readonly blockSize: number,
  ) {}

  get size(): number {
    return this.count;
  }

  entries(): ListedEntry[] {
    return this.blocks.flatMap((b) => b.entries);
  }

  /** How many distinct addresses (an address split over no two blocks). */
  distinctAddresses(): number {
    return this.blocks.reduce((n, b) => n + distinct(b.entries).length, 0);
  }

  /** Replaces every entry with `sorted` (already in order), in half-full blocks. */
  load(sorted: ListedEntry[]): void {
    this.blocks = [];
    for (let start = 0; start < sorted.length; ) {
      const end = boundary(sorted, Math.min(start + (this.blockSize >>> 1), sorted.length), start);
      this.blocks.push({ entries: sorted.slice(start, end), kept: new Map() });
      start = end;
    }
    this.count = sorted.length;
  }

  insert(entry: ListedEntry): void {
    let at = this.blockOf(entry.order);
    // An address whose other cases start the next block joins them there.
    if (this.blocks[at + 1]?.entries[0].address === entry.address) at += 1;
    const block = this.blocks[at];
    if (block === undefined) {
      this.blocks.push({ entries: [entry], kept: new Map() });
    } else {
      block.entries.splice(indexIn(block.entries, entry.order), 0, entry);
      block.kept.clear();
      if (block.entries.length > this.blockSize) this.split(at);
    }
    this.count += 1;
  }

  remove(entry: ListedEntry): void {
    const at = this.blockOf(entry.order);
    const block = this.blocks[at];
    if (block === undefined) return;
    const i = block.entries.indexOf(entry, indexIn(block.entries, entry.order));
    if (i < 0) return;
    block.entries.splice(i, 1);
    block.kept.clear();
    if (block.entries.length === 0) this.blocks.splice(at, 1);
    this.count -= 1;
  }

  /** Each non-empty block's bytes in `format`, kept until the block changes. */
  bytes(format: BlocklistFormat): Buffer[] {
    return this.blocks.map((block) => {
      let kept = block.kept.get(format);
      if (kept === undefined) {
        kept = Buffer.from(this.lines[format](block.entries));
        block.kept.set(format, kept);
      }
      return kept;
    });
  }

  /** Makes the bytes in `format` of every block that has none kept, `turn` awaited every few thousand entries. */
  async prepare(format: BlocklistFormat, turn: () => Promise<void>): Promise<void> {
    let since = 0;
    for (const block of [...this.blocks]) {
      if (block.kept.has(format)) continue;
      block.kept.set(format, Buffer.from(this.lines[format](block.entries)));
      since += block.entries.length;
      if (since >= LOAD_SLICE) {
        since = 0;
        await turn();
      }
    }
  }

  /** The last block whose first entry is not after `order` (0 when all are). */
  private blockOf(order: string): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.blocks[mid].entries[0].order <= order) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  private split(at: number): void {
    const { entries } = this.blocks[at];
    const cut = boundary(entries, entries.length >>> 1, 0);
    if (cut <= 0 || cut >= entries.length) return;
    this.blocks.splice(
      at,
      1,
      { entries: entries.slice(0, cut), kept: new Map() },
      { entries: entries.slice(cut), kept: new Map() },
    );
  }
}

/**
 * Where to end a block of `entries` that starts after `floor`: the first index from `from` where a new
 * address starts, else the last one before it, else the end.
 */
function boundary(entries: readonly ListedEntry[], from: number, floor: number): number {
  if (from >= entries.length) return entries.length;
  for (let i = Math.max(from, 1); i < entries.length; i += 1)
    if (entries[i].address !== entries[i - 1].address) return i;
  for (let i = from - 1; i > floor; i -= 1) if (entries[i].address !== entries[i - 1].address) return i;
  return entries.length;
}

/** Past this many changes at once, the lists are sorted again whole rather than edited entry by entry. */
const RESORT_AT = 512;

/** Entries checked between two turns of the event loop while a whole list is loaded (~20 ms of work). */
const LOAD_SLICE = 2048;

/** A stored entry's identity: its kind, its address as stored, its case. */
const keyOf = (entry: BlocklistEntry): string =>
  `${entry.kind ?? 'domain'}\u0000${entry.domain}\u0000${entry.pseId}`;

const COMMA = Buffer.from(',');
const CSV_HEAD = Buffer.from('domain,pseId,since,ip\n');
const JSON_TAIL = Buffer.from(']}');

/** The parts of a JSON array's items, comma-separated. */
function commaSeparated(parts: readonly Buffer[]): Buffer[] {
  return parts.filter((p) => p.length > 0).flatMap((p, i) => (i === 0 ? [p] : [COMMA, p]));
}

/**
 * The blocklist as published, kept in the order every format lists it: host names (by name, then case)
 * before IP addresses (IPv4 before IPv6, by value, then case). Each entry is checked against the
 * host-name and IP rules once, when it arrives (`onDropped` hears of those left out); the entries are
 * kept in blocks whose bytes in each format are kept until one of their entries changes, so rendering
 * after a change renders one block and concatenates the rest — not checking, sorting and writing every
 * entry again. The API keeps one up to date from the change feed (`BlocklistMirror`); the CLI renders
 * a stored list with `renderBlocklist`.
 */
export class PublishedBlocklist {
  /** Every stored entry by kind, address and case; `null` for one the rules leave out. */
  private readonly entries = new Map<string, ListedEntry | null>();
  private readonly names: SortedBlocks;
  private readonly ips: SortedBlocks;
  /**
   * The sum of the listed entries' marks, word by word modulo 2^32: the same for the same entries whichever
   * order they came in and however the blocks fell, kept up to date as entries come and go.
   */
  private readonly sum = new Uint32Array(4);

  constructor(
    private readonly onDropped?: OnDroppedEntry,
    /** Entries a block holds at most (small in specs, to split blocks often). */
    blockSize = 1024,
  ) {
    this.names = new SortedBlocks(NAME_LINES, blockSize);
    this.ips = new SortedBlocks(IP_LINES, blockSize);
  }

  /** A list of stored entries (each told once, in the order given, to `onDropped` if the rules leave it out). */
  static of(
    entries: readonly BlocklistEntry[],
    onDropped?: OnDroppedEntry,
    blockSize?: number,
  ): PublishedBlocklist {
    const list = new PublishedBlocklist(onDropped, blockSize);
    list.add(entries);
    list.sortAgain();
    return list;
  }

  /**
   * A list of stored entries (as `of`, each shown as the API shows it) made a slice at a time, `turn`
   * awaited between slices: checking every entry of a million systems' list takes seconds, which other
   * requests should not wait behind.
   */
  static async loaded(
    entries: readonly BlocklistEntry[],
    options: {
      shown(entry: BlocklistEntry): BlocklistEntry;
      turn(): Promise<void>;
      onDropped?: OnDroppedEntry;
    },
  ): Promise<PublishedBlocklist> {
    const list = new PublishedBlocklist(options.onDropped);
    for (let start = 0; start < entries.length; start += LOAD_SLICE) {
      list.add(entries.slice(start, start + LOAD_SLICE).map(options.shown));
      await options.turn();
    }
    list.sortAgain();
    return list;
  }

  /** The number of published entries (host names and IP addresses, each once per case). */
  get size(): number {
    return this.names.size + this.ips.size;
  }

  /** Applies change-feed lines in order: an entry is added (its `since` as shown) or removed. */
  apply(changes: readonly { action: 'add' | 'remove'; entry: BlocklistEntry }[]): void {
    const edit = changes.length < RESORT_AT;
    for (const { action, entry } of changes) {
      const key = keyOf(entry);
      const was = this.entries.get(key);
      if (was && edit) this.blocksOf(was).remove(was);
      if (was) this.count(was, -1);
      this.entries.delete(key);
      if (action === 'remove') continue;
      const listed = this.listed(entry);
      this.entries.set(key, listed);
      if (listed) this.count(listed, 1);
      if (listed && edit) this.blocksOf(listed).insert(listed);
    }
    if (!edit) this.sortAgain();
  }

  /**
   * Makes the blocks' bytes in `format` that are not kept, a slice at a time with `turn` awaited between
   * (the first rendering of a format at a million systems writes every entry: hundreds of milliseconds).
   * The list may change meanwhile; `bytes` then makes what is still missing.
   */
  async prepare(format: BlocklistFormat, turn: () => Promise<void>): Promise<void> {
    await this.names.prepare(format, turn);
    await this.ips.prepare(format, turn);
  }

  /** The published entries, host names first (the JSON lists' `entries`). */
  published(): PublishedBlocklistEntry[] {
    return [...this.names.entries(), ...this.ips.entries()].map((e) => e.published);
  }

  /**
   * The list as the API sends it: a format's bytes (`json`: `{"position":…,"entries":[…]}`, what
   * `JSON.stringify` writes of the position and `published()`), `position` being the feed position.
   */
  bytes(format: BlocklistFormat, position: number): Buffer {
    return Buffer.concat(this.pieces(format, position));
  }

  /**
   * The bytes of `bytes` in pieces: a head, each block's kept bytes, a tail. A piece is the same `Buffer`
   * for as long as its block is unchanged (`gzipOfPieces` keeps each piece's compression by it), and so are
   * a head and a tail that do not name the position.
   */
  pieces(format: BlocklistFormat, position: number): Buffer[] {
    const names = this.names.bytes(format);
    const ips = this.ips.bytes(format);
    const head = (text: string): Buffer => Buffer.from(text);
    switch (format) {
      case 'txt':
        return [head(ipsLeftOut(this.ips.distinctAddresses())), ...names];
      case 'hosts':
        return [
          head(`# Sanksi blocklist, position ${position}\n${ipsLeftOut(this.ips.distinctAddresses())}`),
          ...names,
        ];
      case 'rpz':
        return [
          head(
            `$TTL 300\n@ IN SOA localhost. hostmaster.localhost. ( ${position} 3600 600 86400 300 )\n@ IN NS localhost.\n`,
          ),
          ...names,
          ...ips,
        ];
      case 'csv':
        return [CSV_HEAD, ...names, ...ips];
      case 'json':
        return [
          head(`{"position":${position},"entries":[`),
          ...commaSeparated([...names, ...ips]),
          JSON_TAIL,
        ];
      default: {
        const never: never = format;
        throw new RangeError(`unknown blocklist format ${String(never)}`);
      }
    }
  }

  /**
   * A strong ETag (RFC 9110 §8.8.3) of `bytes(format, position)`, without reading them: the bytes are a
   * function of the format, the position and the listed entries alone (and of `RENDERING_VERSION`), so the
   * tag is a digest of those — the entries' by their running sum. Two servers, or one before and after a
   * restart, tag one list alike; a change costs no pass over the megabytes of a list (a SHA-256 of them was
   * ~10 ms of the request loop a format, at a million systems, after every change).
   */
  etag(format: BlocklistFormat, position: number): string {
    const digest = createHash('sha256')
      .update(
        `${RENDERING_VERSION}\u0000${format}\u0000${position}\u0000${this.size}\u0000${this.sum.join(',')}`,
      )
      .digest('base64url');
    return `"${position}-${digest.slice(0, 22)}"`;
  }

  /**
   * One of the formats as files for internet providers (`renderBlocklist`): as `bytes`, but JSON with
   * its count, indented.
   */
  render(format: BlocklistFormat, serial: number): string {
    if (format === 'json')
      return `${JSON.stringify({ position: serial, count: this.size, entries: this.published() }, null, 2)}\n`;
    return this.bytes(format, serial).toString('utf8');
  }

  /** Takes stored entries in (checked, told to `onDropped` if left out), not yet in blocks: `sortAgain` next. */
  private add(entries: readonly BlocklistEntry[]): void {
    for (const entry of entries) {
      const key = keyOf(entry);
      const was = this.entries.get(key);
      if (was) this.count(was, -1);
      const listed = this.listed(entry);
      this.entries.set(key, listed);
      if (listed) this.count(listed, 1);
    }
  }

  /** Adds an entry's mark to the list's digest, or takes it out (`sign` -1). */
  private count(entry: ListedEntry, sign: 1 | -1): void {
    const mark = markOf(entry);
    for (let i = 0; i < 4; i++) this.sum[i] = this.sum[i] + sign * mark[i];
  }

  /** The entry as listed, or `null` (told to `onDropped`) when the host-name or IP rule leaves it out. */
  private listed(entry: BlocklistEntry): ListedEntry | null {
    const published = publishableEntry(entry);
    if ('refused' in published) {
      this.onDropped?.(published.refused);
      return null;
    }
    const address = 'ip' in published ? published.ip : published.domain;
    const order = `${'ip' in published ? ipSortKey(address) : address}\u0000${published.pseId}\u0000${entry.domain}`;
    return { order, address, published, json: JSON.stringify(published) };
  }

  private blocksOf(entry: ListedEntry): SortedBlocks {
    return 'ip' in entry.published ? this.ips : this.names;
  }

  private sortAgain(): void {
    const all = [...this.entries.values()].filter((e): e is ListedEntry => e !== null);
    const byOrder = (a: ListedEntry, b: ListedEntry): number =>
      a.order < b.order ? -1 : a.order > b.order ? 1 : 0;
    this.names.load(all.filter((e) => !('ip' in e.published)).sort(byOrder));
    this.ips.load(all.filter((e) => 'ip' in e.published).sort(byOrder));
  }
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
