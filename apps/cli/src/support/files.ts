import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputFileError } from '../cli.errors';

/** The registry data shipped with the CLI (apps/cli/assets/pse-registry), from src/ or dist/. */
export const REGISTRY_ASSETS_DIR = path.resolve(__dirname, '..', '..', 'assets', 'pse-registry');

/** Reads a text file, gunzipping it when it is gzip-compressed (by content, not by name). */
export function readMaybeGzipped(file: string): string {
  if (!existsSync(file)) throw new InputFileError(file, 'no such file');
  try {
    const bytes = readFileSync(file);
    const gzipped = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
    return (gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (e) {
    throw new InputFileError(file, e instanceof Error ? e.message : String(e));
  }
}
