import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { InputFileError } from '../cli.errors';

/** A file's lines as they are read (gzip by name), and how many bytes of the file were read so far. */
export interface StreamedLines {
  lines: AsyncIterable<string>;
  /** Bytes of the file read so far (of the compressed file when gzipped). */
  bytesRead(): number;
  /** The file's size in bytes. */
  size: number;
}

/** Streams `file` line by line without reading it whole; an unreadable file is an `InputFileError`. */
export function streamLines(file: string): StreamedLines {
  if (!existsSync(file)) throw new InputFileError(file, 'no such file');
  const size = statSync(file).size;
  const raw = createReadStream(file);
  raw.on('error', () => undefined);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const reader = createInterface({ input, crlfDelay: Infinity });
  async function* lines(): AsyncGenerator<string> {
    try {
      for await (const line of reader) yield line;
    } catch (e) {
      throw new InputFileError(file, e instanceof Error ? e.message : String(e));
    } finally {
      reader.close();
      raw.destroy();
    }
  }
  return { lines: lines(), bytesRead: () => raw.bytesRead, size };
}
