import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The web console bundles this lib for the browser: its runtime files may import only each other and
// openapi-fetch (tsconfig.lib.json, without Node types, checks globals such as `process` and `Buffer`).
const ALLOWED = /^(\.{1,2}\/|openapi-fetch$)/;
// Static imports and re-exports (a statement at the start of a line, over several lines if need be), and
// require() or import() anywhere; doc comments that merely mention `from '…'` are not statements.
const MODULE_REFERENCE =
  /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]|\b(?:require|import)\(\s*['"]([^'"]+)['"]/gm;

function runtimeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return runtimeFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [file] : [];
  });
}

describe('the client in a browser', () => {
  it('given its runtime files, then each imports only the lib itself and openapi-fetch', () => {
    const files = runtimeFiles(__dirname);
    expect(files.map((f) => path.basename(f))).toContain('sanksi-client.ts');
    const imports = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(MODULE_REFERENCE)].map((m) => ({
        file: path.relative(__dirname, file),
        module: m[1] ?? m[2],
      })),
    );
    expect(imports.filter((i) => !ALLOWED.test(i.module))).toEqual([]);
    expect(imports.map((i) => i.module)).toContain('openapi-fetch');
  });
});
