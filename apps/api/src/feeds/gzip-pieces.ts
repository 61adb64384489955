import { promisify } from 'node:util';
import { constants, crc32, deflateRaw } from 'node:zlib';

const deflateRawAsync = promisify(deflateRaw);

/** A gzip member's header (RFC 1952 §2.3): deflate, no flags, no time, unknown OS. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final deflate block (fixed Huffman, end of block): what ends the stream of flushed pieces. */
const FINAL = Buffer.from([0x03, 0x00]);

/** Each piece's deflate, kept as long as the piece itself (a block's bytes live until the block changes). */
const deflated = new WeakMap<Buffer, Promise<Buffer>>();

/**
 * A piece deflated on its own, ended by a full flush: byte-aligned and with no back-references before
 * it, so pieces deflated apart follow one another in one deflate stream (pigz's method).
 */
function deflatePiece(piece: Buffer): Promise<Buffer> {
  let kept = deflated.get(piece);
  if (kept === undefined) {
    kept = deflateRawAsync(piece, { finishFlush: constants.Z_FULL_FLUSH });
    deflated.set(piece, kept);
    kept.catch(() => deflated.delete(piece));
  }
  return kept;
}

/**
 * The gzip of the concatenation of `pieces`: one gzip member (every client reads it) whose deflate
 * stream is the pieces' deflates in order. A piece seen before (a block of the blocklist that did not
 * change) is not compressed again, so after a change of a list of megabytes only the changed block is;
 * the deflates run on libuv's pool, the CRC over the pieces in order on the caller's thread (a few ms for
 * 15 MB), without putting them together.
 */
export async function gzipOfPieces(pieces: readonly Buffer[]): Promise<Buffer> {
  const parts = await Promise.all(pieces.filter((p) => p.length > 0).map(deflatePiece));
  let crc = 0;
  let length = 0;
  for (const piece of pieces) {
    crc = crc32(piece, crc);
    length += piece.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length >>> 0, 4);
  return Buffer.concat([HEADER, ...parts, FINAL, trailer]);
}
