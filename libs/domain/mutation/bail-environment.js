// The mutation run's jest environment (libs/domain/stryker.config.mjs): jest's node environment that, in a
// run with a mutant active, skips the remaining tests of a file once one test has failed. Stryker needs one
// failing test to call a mutant killed, but jest has no bail within a file, and the mutation run's test files
// each hold a whole group of specs (load-specs.ts): without this, a mutant that breaks the first test still
// runs the other hundreds. A run with no mutant active (the dry run, a plain jest run) is never cut short.
const { TestEnvironment } = require('jest-environment-node');

// @stryker-mutator/api's INSTRUMENTER_CONSTANTS.ACTIVE_MUTANT_ENV_VARIABLE
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

class BailOnFirstFailureEnvironment extends TestEnvironment {
  failed = false;

  async handleTestEvent(event) {
    if (!process.env[ACTIVE_MUTANT]) return;
    if (event.name === 'test_done' && event.test.errors.length > 0) this.failed = true;
    if (event.name === 'hook_failure') this.failed = true;
    // jest-circus decides whether to skip a test after dispatching test_start.
    if (event.name === 'test_start' && this.failed) event.test.mode = 'skip';
  }
}

module.exports = BailOnFirstFailureEnvironment;
