import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporaryDirectory } from './temporary-directory';

describe('temporaryDirectory', () => {
  it('given a prefix, when created, then an empty directory under the OS temp dir', () => {
    const dir = temporaryDirectory('sanksi-testing-probe');
    try {
      expect(path.dirname(dir.path)).toBe(tmpdir());
      expect(path.basename(dir.path).startsWith('sanksi-testing-probe-')).toBe(true);
      expect(readdirSync(dir.path)).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  it('given files inside, when removed, then the directory is gone; removing again is harmless', () => {
    const dir = temporaryDirectory('sanksi-testing-rm');
    writeFileSync(path.join(dir.path, 'a.db'), 'x');

    dir.remove();

    expect(existsSync(dir.path)).toBe(false);
    expect(() => dir.remove()).not.toThrow();
  });
});
