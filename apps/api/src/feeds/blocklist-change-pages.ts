import type { BlocklistFeedEntry } from '@sanksi/read-models';

/** Where pages of the blocklist change feed come from. */
export interface ChangeFeedSource {
  getBlocklistVersion(): Promise<number>;
  getBlocklistChanges(after: number, limit?: number): Promise<BlocklistFeedEntry[]>;
}

interface KeptPage<T> {
  answer: T;
  /** The page ended before the newest change: later changes come after it, so it never changes. */
  final: boolean;
  version: number;
}

/** Pages kept at most: a catch-up client walks final pages others walked before; pollers at the head share one. */
const MAX_PAGES = 256;

/**
 * Answers of the blocklist change feed by (after, limit), kept while they cannot have changed: a page
 * that ends before the newest change is final (new lines only ever get later positions), one that
 * reaches it holds until the next change. A rebuild (the newest change moving back) drops them all.
 */
export class BlocklistChangePages<T> {
  private readonly kept = new Map<string, KeptPage<T>>();
  private newest = 0;

  constructor(
    private readonly source: ChangeFeedSource,
    private readonly answer: (after: number, page: BlocklistFeedEntry[]) => T,
  ) {}

  /** The feed's answer for the changes after `after`, at most about `limit` lines (whole positions). */
  async page(after: number, limit: number): Promise<T> {
    const version = await this.source.getBlocklistVersion();
    if (version < this.newest) this.kept.clear();
    this.newest = version;
    const key = `${after}:${limit}`;
    const kept = this.kept.get(key);
    if (kept !== undefined && (kept.final || kept.version === version)) return kept.answer;
    const page = await this.source.getBlocklistChanges(after, limit);
    const last = page[page.length - 1]?.position;
    const answer = this.answer(after, page);
    this.kept.delete(key);
    this.kept.set(key, { answer, final: last !== undefined && last < version, version });
    if (this.kept.size > MAX_PAGES) this.kept.delete(this.kept.keys().next().value as string);
    return answer;
  }
}
