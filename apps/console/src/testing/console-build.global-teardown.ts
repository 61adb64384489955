// jest globalTeardown of the browser-test project: the run's own build goes (one named from outside stays).
import { CONSOLE_TEST_DIST_VAR, removeTestBuild } from './console-build';

export default function globalTeardown(): void {
  const dir = process.env[CONSOLE_TEST_DIST_VAR];
  if (dir && process.env.SANKSI_CONSOLE_TEST_DIST_OWNED === '1') removeTestBuild(dir);
}
