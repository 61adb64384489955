// The console's browser tests run against a build of their own: each jest run builds the console once into a
// fresh directory under tmp/console-build/ and serves that one (SANKSI_CONSOLE_TEST_DIST), so a concurrent
// `nx build console` (which empties apps/console/dist) or another test run cannot pull files from under it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** The environment variable naming the build the browser tests serve. */
export const CONSOLE_TEST_DIST_VAR = 'SANKSI_CONSOLE_TEST_DIST';

const ROOT = path.resolve(__dirname, '../../../..');
const BUILDS = path.join(ROOT, 'tmp', 'console-build');

/** The console could not be built for the browser tests (Vite's own message follows). */
export class ConsoleBuildFailed extends Error {
  readonly code = 'CONSOLE_BUILD_FAILED';
  constructor(
    readonly outDir: string,
    cause: unknown,
  ) {
    super(
      `vite build of the console into ${outDir} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'ConsoleBuildFailed';
  }
}

/** Builds the console with its own Vite config into `outDir` (made empty first); returns `outDir`. */
export function buildConsole(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  try {
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        path.join(ROOT, 'apps/console/vite.config.mjs'),
        '--outDir',
        outDir,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'] },
    );
  } catch (e) {
    throw new ConsoleBuildFailed(outDir, e);
  }
  if (!existsSync(path.join(outDir, 'index.html'))) throw new ConsoleBuildFailed(outDir, 'no index.html');
  return outDir;
}

/** A fresh directory for one test run's build, named by process and time so no two runs share one. */
export function testBuildDirectory(): string {
  return path.join(BUILDS, `run-${process.pid}-${Date.now().toString(36)}`);
}

/** Removes a build made by `buildConsole` for a test run (only ever below tmp/console-build/). */
export function removeTestBuild(outDir: string): void {
  const resolved = path.resolve(outDir);
  if (resolved.startsWith(`${BUILDS}${path.sep}`)) rmSync(resolved, { recursive: true, force: true });
}
