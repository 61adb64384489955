// jest globalSetup of the browser-test project: one build per run, in a directory of its own (console-build.ts).
import { buildConsole, CONSOLE_TEST_DIST_VAR, testBuildDirectory } from './console-build';

export default function globalSetup(): void {
  // A build named from outside (a CI step that built once for several runs) is used as it is.
  if (process.env[CONSOLE_TEST_DIST_VAR]) return;
  process.env[CONSOLE_TEST_DIST_VAR] = buildConsole(testBuildDirectory());
  process.env.SANKSI_CONSOLE_TEST_DIST_OWNED = '1';
}
