import type { Blocklist, BlocklistEntry, BlocklistFeedEntry } from '@sanksi/read-models';
import type { OnDroppedEntry } from './blocklist-formats';
import { PublishedBlocklist } from './published-blocklist';

/** What the mirror reads: the whole stored list once, then the change feed from where it stands. */
export interface BlocklistMirrorSource {
  getBlocklist(): Promise<Blocklist>;
  getBlocklistChanges(after: number, limit?: number): Promise<BlocklistFeedEntry[]>;
}

/** A turn of the event loop for what waits (other requests) between slices of long work. */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Lines read from the change feed at a time while catching up. */
const PAGE = 10_000;

const sameLine = (a: BlocklistFeedEntry, b: BlocklistFeedEntry): boolean =>
  a.position === b.position &&
  a.kind === b.kind &&
  a.domain === b.domain &&
  a.pseId === b.pseId &&
  a.action === b.action &&
  a.at === b.at;

/**
 * The published blocklist kept in memory and moved on by the change feed. The stored list is exactly
 * the feed replayed (`Blocklist.lastChange`), so after one read of the whole list each change costs
 * applying its lines — not reading, checking and sorting every entry again, 1.4–1.6 s a format at a
 * million systems (docs/benchmarks.md). The whole list is read again when the feed is not the one it
 * followed: the lines at the position it stands at are no longer those it applied (gone: the feed went
 * back, a rebuild under way; others: a feed rebuilt differently).
 */
export class BlocklistMirror {
  private list: PublishedBlocklist | undefined;
  /** The feed position the list is as of. */
  private at = 0;
  /** The feed's lines at `at`, to recognise the same feed when catching up. */
  private linesAt: BlocklistFeedEntry[] = [];
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly source: BlocklistMirrorSource,
    /** An entry's `since` as the API shows it. */
    private readonly shown: (since: string) => string,
    private readonly onDropped?: OnDroppedEntry,
  ) {}

  /** The list as of `position` (`syncTo` first). */
  get current(): { list: PublishedBlocklist; position: number } {
    if (this.list === undefined) throw new Error('the blocklist mirror has not read the list yet');
    return { list: this.list, position: this.at };
  }

  /**
   * Brings the list to `version` (the feed's newest position, probed) or beyond. One read at a time: a
   * caller arriving during one waits for it, and reads again only if it did not reach `version`.
   */
  async syncTo(version: number): Promise<void> {
    if (this.list !== undefined && this.at === version) return;
    const running = this.syncing;
    if (running !== undefined) {
      await running;
      if (this.list !== undefined && this.at >= version) return;
    }
    this.syncing ??= this.sync().finally(() => {
      this.syncing = undefined;
    });
    await this.syncing;
  }

  /** Follows the feed on from `at`; reads the whole list first, or again when the feed is another. */
  private async sync(): Promise<void> {
    if (this.list === undefined || !(await this.followOn())) await this.reload();
  }

  /** Applies the feed after `at`, page by page; false when the feed is not the one followed. */
  private async followOn(): Promise<boolean> {
    const list = this.list;
    if (list === undefined) return false;
    // The first page starts at `at` itself: its lines must be those applied last.
    let page = await this.source.getBlocklistChanges(this.at > 0 ? this.at - 1 : 0, PAGE);
    if (this.at > 0) {
      const again = page.filter((l) => l.position === this.at);
      if (again.length !== this.linesAt.length || again.some((l, i) => !sameLine(l, this.linesAt[i])))
        return false;
      page = page.slice(again.length);
      // A position of a page's worth of lines or more fills the first page alone: what follows is next.
      if (page.length === 0) page = await this.source.getBlocklistChanges(this.at, PAGE);
    }
    while (page.length > 0) {
      list.apply(page.map((line) => ({ action: line.action, entry: this.entryOf(line) })));
      this.at = page[page.length - 1].position;
      this.linesAt = page.filter((l) => l.position === this.at);
      page = await this.source.getBlocklistChanges(this.at, PAGE);
    }
    return true;
  }

  /** Reads the whole stored list, and the feed's lines at its position. */
  private async reload(): Promise<void> {
    const stored = await this.source.getBlocklist();
    // Made aside, a slice at a time, and shown only when whole: a request meanwhile waits for this sync.
    const list = await PublishedBlocklist.loaded(stored.entries, {
      shown: (e) => ({ ...e, since: this.shown(e.since) }),
      turn: nextTurn,
      onDropped: this.onDropped,
    });
    const at = stored.lastChange;
    const linesAt =
      at > 0 ? (await this.source.getBlocklistChanges(at - 1, 1)).filter((l) => l.position === at) : [];
    this.list = list;
    this.at = at;
    this.linesAt = linesAt;
  }

  private entryOf(line: BlocklistFeedEntry): BlocklistEntry {
    return { kind: line.kind, domain: line.domain, pseId: line.pseId, since: this.shown(line.at) };
  }
}
