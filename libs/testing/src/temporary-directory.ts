import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh directory under the OS temp dir; `remove()` deletes it and everything in it. */
export interface TemporaryDirectory {
  path: string;
  remove(): void;
}

/** Creates an empty directory named `<prefix>-XXXXXX` under the OS temp dir. */
export function temporaryDirectory(prefix = 'sanksi'): TemporaryDirectory {
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
