import { type BlocklistFormat, blocklistContentType, type OnDroppedEntry } from './blocklist-formats';
import { BlocklistMirror, type BlocklistMirrorSource, nextTurn } from './blocklist-mirror';
import { gzipOfPieces } from './gzip-pieces';

/** One format of the blocklist as sent: its bytes, their strong ETag and the change it is as of. */
export interface BlocklistRendering {
  /** The position of the newest blocklist change the rendering reflects (`X-Blocklist-Position`). */
  position: number;
  etag: string;
  contentType: string;
  /**
   * The UTF-8 bytes in the pieces the list keeps them in (a head, each block's bytes, a tail): a piece is
   * encoded once, when its block changes, and is the same `Buffer` in every rendering until then (its
   * gzip is kept by it).
   */
  pieces: readonly Buffer[];
  /**
   * The same bytes as sent: the head alone, then runs of `CHUNK_PIECES` pieces each put together once and
   * kept for as long as the run's pieces are the same — after a change, the run holding the changed block
   * is put together again, not the whole list (a new 10–15 MB buffer at a million systems, whose fresh
   * pages alone cost tens of milliseconds), and an answer is a few writes, not one per block.
   */
  chunks: readonly Buffer[];
  /** The bytes' length (`Content-Length`). */
  length: number;
}

/** Pieces (blocks of up to 1,024 entries: 30–110 KB at a million systems) in one chunk of an answer. */
export const CHUNK_PIECES = 16;

/** A run of pieces put together, kept while the same pieces make it. */
interface Chunk {
  pieces: readonly Buffer[];
  bytes: Buffer;
}

/** The pieces as chunks (`BlocklistRendering.chunks`), reusing each of `before` whose pieces are the same. */
function chunked(pieces: readonly Buffer[], before: readonly Chunk[]): Chunk[] {
  const chunks: Chunk[] = pieces.length > 0 ? [{ pieces: pieces.slice(0, 1), bytes: pieces[0] }] : [];
  for (let start = 1; start < pieces.length; start += CHUNK_PIECES) {
    const run = pieces.slice(start, start + CHUNK_PIECES);
    const kept = before[chunks.length];
    const same = kept?.pieces.length === run.length && run.every((piece, i) => piece === kept.pieces[i]);
    chunks.push(same ? kept : { pieces: run, bytes: run.length === 1 ? run[0] : Buffer.concat(run) });
  }
  return chunks;
}

/** The bytes of a rendering as one buffer (what a client receives; the specs compare it). */
export function bodyOf(rendering: Pick<BlocklistRendering, 'chunks' | 'length'>): Buffer {
  return Buffer.concat(rendering.chunks, rendering.length);
}

/**
 * The ETag of the gzip representation of a rendering: the rendering's, marked `-gz`, and weak. The gzip is
 * made from the list's blocks (`gzipOfPieces`), whose boundaries depend on the changes a server has seen
 * since it started: two servers, or one before and after a restart, may send different gzip bytes of the
 * same list. A weak tag promises the same list, not the same bytes (as nginx marks the tags of what it
 * compresses); `If-None-Match` compares weakly, so a poller still gets 304 while the list stands.
 */
export function gzipEtag(etag: string): string {
  return `W/${etag.slice(0, -1)}-gz"`;
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

/**
 * The renderings of the blocklist, one per format, kept until the blocklist changes. The list is a
 * function of the newest change-feed position alone, so a poller costs one probe of that position
 * (then a 304, or the kept bytes) instead of reading and rendering every entry. After a change the list
 * is moved on by the feed's new lines (`BlocklistMirror`), and each format is rendered from the kept,
 * already checked and ordered entries when first asked.
 */
export class BlocklistRenderings {
  private readonly kept = new Map<BlocklistFormat, BlocklistRendering>();
  /** Each format's last chunks, for the next rendering to reuse those whose pieces did not change. */
  private readonly chunks = new Map<BlocklistFormat, readonly Chunk[]>();
  /** The gzip of each kept rendering, made once (on the libuv pool, off the event loop) when first asked. */
  private readonly gzipped = new WeakMap<BlocklistRendering, Promise<Buffer>>();
  private readonly mirror: BlocklistMirror;

  constructor(
    private readonly source: BlocklistMirrorSource & { getBlocklistVersion(): Promise<number> },
    shown: (since: string) => string,
    onDropped?: OnDroppedEntry,
  ) {
    this.mirror = new BlocklistMirror(source, shown, onDropped);
  }

  /**
   * Reads the whole list into the mirror now, so that the first poller after a start does not wait for it
   * (seconds at a million systems); each format is still rendered when first asked. A failure leaves the
   * mirror as it was: the first request reads the list then.
   */
  async warm(): Promise<void> {
    await this.mirror.syncTo(await this.source.getBlocklistVersion());
  }

  /** The current rendering of `format`: kept when the blocklist has not changed since, else made anew. */
  async current(format: BlocklistFormat): Promise<BlocklistRendering> {
    const version = await this.source.getBlocklistVersion();
    const kept = this.kept.get(format);
    if (kept !== undefined && kept.position === version) return kept;
    await this.mirror.syncTo(version);
    // The blocks not yet written in this format, a slice at a time; then the list as it stands, at once.
    await this.mirror.current.list.prepare(format, nextTurn);
    const { list, position } = this.mirror.current;
    // Another request may have rendered this format at this position while the list was brought on.
    const again = this.kept.get(format);
    if (again !== undefined && again.position === position) return again;
    const pieces = list.pieces(format, position).filter((p) => p.length > 0);
    const chunks = chunked(pieces, this.chunks.get(format) ?? []);
    this.chunks.set(format, chunks);
    const bytes = chunks.map((c) => c.bytes);
    const rendering = {
      position,
      etag: list.etag(format, position),
      contentType: blocklistContentType(format),
      pieces,
      chunks: bytes,
      length: bytes.reduce((n, b) => n + b.length, 0),
    };
    this.kept.set(format, rendering);
    return rendering;
  }

  /**
   * The gzip of a rendering `current` returned (its ETag: `gzipEtag`), made once per rendering: a list of
   * a million systems' blocks is megabytes of text that compresses several times, and every poller that
   * downloads it whole would otherwise move the full bytes. Made from the rendering's pieces, so only the
   * blocks changed since the last rendering are compressed (a whole list: ~180 ms at a million).
   */
  gzipOf(rendering: BlocklistRendering): Promise<Buffer> {
    let gzipped = this.gzipped.get(rendering);
    if (gzipped === undefined) {
      gzipped = gzipOfPieces(rendering.pieces);
      this.gzipped.set(rendering, gzipped);
      gzipped.catch(() => this.gzipped.delete(rendering));
    }
    return gzipped;
  }
}
