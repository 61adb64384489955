import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Blocklist, BlocklistEntry } from '@sanksi/read-models';
import {
  type BlocklistFormat,
  blocklistContentType,
  type OnDroppedEntry,
  publishableEntries,
  renderBlocklist,
} from './blocklist-formats';

/** One format of the blocklist as sent: its bytes, their strong ETag and the change it is as of. */
export interface BlocklistRendering {
  /** The position of the newest blocklist change the rendering reflects (`X-Blocklist-Position`). */
  position: number;
  etag: string;
  contentType: string;
  /**
   * The UTF-8 bytes, encoded once per rendering: a string answer is measured and encoded again on every
   * request (megabytes at a million systems).
   */
  body: Buffer;
}

const gzipAsync = promisify(gzip);

/** The strong ETag of the gzip representation of a rendering: the rendering's, marked `-gz`. */
export function gzipEtag(etag: string): string {
  return `${etag.slice(0, -1)}-gz"`;
}

/**
 * Whether an `Accept-Encoding` value (RFC 9110 §12.5.3) accepts gzip: named (or `x-gzip`) or `*`, with a
 * q-value above 0; an explicit `gzip;q=0` refuses it even beside `*`.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let star = false;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return accepted;
    if (coding === '*') star = accepted;
  }
  return star;
}

/** Renders one format of a stored blocklist (entries' times already as the API shows them). */
export function renderBlocklistBody(
  format: BlocklistFormat,
  entries: readonly BlocklistEntry[],
  position: number,
  onDropped?: OnDroppedEntry,
): string {
  // JSON as the API always sent it (Fastify's JSON.stringify of the object); the files as the CLI writes them.
  return format === 'json'
    ? JSON.stringify({ position, entries: publishableEntries(entries, onDropped) })
    : renderBlocklist(format, entries, position, onDropped);
}

/** A strong ETag of exact bytes (RFC 9110 §8.8.3): the position it is as of, and a digest of the body. */
export function blocklistEtag(position: number, body: string): string {
  return `"${position}-${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/**
 * The renderings of the blocklist, one per format, kept until the blocklist changes. The list is a
 * function of the newest change-feed position alone, so a poller costs one probe of that position
 * (then a 304, or the kept bytes) instead of reading and rendering every entry; concurrent requests
 * for a stale format share one read and one rendering.
 */
export class BlocklistRenderings {
  private readonly kept = new Map<BlocklistFormat, BlocklistRendering>();
  /** The gzip of each kept rendering, made once (on the libuv pool, off the event loop) when first asked. */
  private readonly gzipped = new WeakMap<BlocklistRendering, Promise<Buffer>>();
  private readonly pending = new Map<
    BlocklistFormat,
    { version: number; rendering: Promise<BlocklistRendering> }
  >();

  constructor(
    private readonly source: {
      getBlocklistVersion(): Promise<number>;
      getBlocklist(): Promise<Blocklist>;
    },
    private readonly shown: (entry: BlocklistEntry) => BlocklistEntry,
    private readonly onDropped?: OnDroppedEntry,
  ) {}

  /** The current rendering of `format`: kept when the blocklist has not changed since, else made anew. */
  async current(format: BlocklistFormat): Promise<BlocklistRendering> {
    const version = await this.source.getBlocklistVersion();
    const kept = this.kept.get(format);
    if (kept !== undefined && kept.position === version) return kept;
    // A rendering under way serves this request only if it started at this version or later.
    const pending = this.pending.get(format);
    if (pending !== undefined && pending.version >= version) return pending.rendering;
    const started = {
      version,
      rendering: this.render(format).finally(() => {
        if (this.pending.get(format) === started) this.pending.delete(format);
      }),
    };
    this.pending.set(format, started);
    return started.rendering;
  }

  /**
   * The gzip of a rendering `current` returned (its ETag: `gzipEtag`), compressed once per rendering: a list of
   * a million systems' blocks is megabytes of text that compresses several times, and every poller that
   * downloads it whole would otherwise move the full bytes.
   */
  gzipOf(rendering: BlocklistRendering): Promise<Buffer> {
    let gzipped = this.gzipped.get(rendering);
    if (gzipped === undefined) {
      gzipped = gzipAsync(rendering.body);
      this.gzipped.set(rendering, gzipped);
      gzipped.catch(() => this.gzipped.delete(rendering));
    }
    return gzipped;
  }

  private async render(format: BlocklistFormat): Promise<BlocklistRendering> {
    const list = await this.source.getBlocklist();
    const text = renderBlocklistBody(format, list.entries.map(this.shown), list.lastChange, this.onDropped);
    const rendering = {
      position: list.lastChange,
      etag: blocklistEtag(list.lastChange, text),
      contentType: blocklistContentType(format),
      body: Buffer.from(text),
    };
    // A slower read must not replace a newer rendering another request kept meanwhile.
    const kept = this.kept.get(format);
    if (kept === undefined || kept.position <= rendering.position) this.kept.set(format, rendering);
    return rendering;
  }
}
