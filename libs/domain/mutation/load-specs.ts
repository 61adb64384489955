// The mutation run's test files (libs/domain/stryker.config.mjs) load the domain's example specs in a few
// groups, each group in one jest module registry. Why: jest gives every test file a registry of its own,
// and Stryker's jest runner starts one jest run per mutant over every spec file related to the mutated
// file, loading each file (and with it the whole domain: zod schemas, the statechart, the policies)
// before it filters the tests by name. With 30-odd spec files that is 30-odd evaluations of the domain per
// mutant, however few tests cover it. Grouped, a mutant costs one evaluation per related group plus the
// tests that cover it. The specs are the very files `npx jest -c libs/domain/jest.config.js` runs.
import { readdirSync } from 'node:fs';
import path from 'node:path';

const SRC = path.join(__dirname, '../src');

/** The folders of libs/domain/src the groups cover between them (a spec elsewhere fails the run). */
const FOLDERS = ['calendar', 'diagram', 'history', 'hostname', 'policies', 'pse-case', 'traffic'];

/**
 * Specs left out of the default mutation run (they stay in `npm test`): the property specs replay
 * hundreds of generated histories and the two model-based walks drive the whole statechart, so each covers
 * every mutant of the machine and the decider and takes seconds per mutant. `heavy.mutation.spec.ts` loads
 * them when SANKSI_MUTATION_ALL_SPECS=1.
 */
export const HEAVY_SPECS = [
  /\.properties\.spec\.ts$/,
  /^pse-case\/pse-case\.machine\.spec\.ts$/,
  /^pse-case\/pse-case\.decide-paths\.spec\.ts$/,
];

/** Every `*.spec.ts` under these folders of libs/domain/src, as paths relative to it, sorted. */
export function specFiles(folders: readonly string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(SRC, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === '__fixtures__' ? [] : walk(rel);
      return entry.name.endsWith('.spec.ts') ? [rel] : [];
    });
  return folders.flatMap(walk).sort();
}

/** True when the spec is one of the slow ones the default mutation run leaves out. */
export function isHeavy(spec: string): boolean {
  return HEAVY_SPECS.some((re) => re.test(spec));
}

/**
 * Registers each spec under a describe block named by its path. The listed `load` functions must be
 * literal `require('../src/…')` calls: jest's --findRelatedTests follows them from the group to the domain's
 * source files, and Stryker runs only the groups related to the mutated file. A spec of these folders that
 * is not listed (a new one, or one another change has not yet added here) is loaded all the same, so no spec
 * drops out of the run; list it when it is the only spec that reaches some source file.
 */
export function loadSpecs(
  folders: readonly string[],
  listed: Record<string, () => unknown>,
  which: (spec: string) => boolean,
): void {
  const unlisted = specFiles(folders).filter((spec) => which(spec) && !(spec in listed));
  const specs: Record<string, () => unknown> = { ...listed };
  for (const spec of unlisted) specs[spec] = () => require(path.join(SRC, spec));
  for (const [name, load] of Object.entries(specs)) {
    describe(name, () => {
      load();
    });
  }
  describe('mutation run', () => {
    it(`lists only specs that exist under ${folders.join(', ')}`, () => {
      expect(Object.keys(listed).filter((spec) => !specFiles(folders).includes(spec))).toEqual([]);
    });

    it('has a group for every folder of the domain that holds specs', () => {
      const withSpecs = readdirSync(SRC, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && specFiles([entry.name]).length > 0)
        .map((entry) => entry.name);
      expect(withSpecs.filter((folder) => !FOLDERS.includes(folder))).toEqual([]);
    });
  });
}
