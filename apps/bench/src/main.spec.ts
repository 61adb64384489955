import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { availableBenches } from './main';

describe('bench dispatcher', () => {
  it('finds compiled benchmark modules by name, and nothing else', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-'));
    try {
      for (const f of ['fold.bench.js', 'event-store.bench.js', 'main.js', 'fold.bench.js.map']) {
        writeFileSync(path.join(dir, f), '');
      }
      expect(availableBenches(dir)).toEqual(['event-store', 'fold']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
