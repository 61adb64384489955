// Writes each project's pass/fail counts, and what failed, where tools/test.mjs can sum them into one
// closing summary: a CI log's tail then names the failing test and its first lines, however long the run.
const fs = require('node:fs');
const path = require('node:path');

const MESSAGE_LINES = 12;

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir || process.cwd();
    this.name = this.rootDir.split(path.sep).slice(-2).join('-');
  }
  onRunComplete(_contexts, results) {
    const dir = process.env.SANKSI_TEST_RESULTS;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const { numPassedTests, numFailedTests, numPendingTests } = results;
    const failures = [];
    for (const file of results.testResults) {
      const where = path.relative(path.resolve(this.rootDir, '../..'), file.testFilePath);
      // a suite that failed to run (a syntax error, a failing hook) has no failed test of its own
      if (file.testExecError)
        failures.push({ where, test: '(the suite did not run)', message: file.failureMessage ?? '' });
      for (const t of file.testResults) {
        if (t.status === 'failed')
          failures.push({ where, test: t.fullName, message: t.failureMessages.join('\n') });
      }
    }
    fs.writeFileSync(
      path.join(dir, `${this.name}.json`),
      JSON.stringify({
        numPassedTests,
        numFailedTests,
        numPendingTests,
        failures: failures.map((f) => ({
          ...f,
          // the first lines (without colour codes) name the expectation and the value; a property's seed and path follow
          message: f.message
            .replace(/\u001b\[[0-9;]*m/g, '')
            .split('\n')
            .filter((l) => l.trim() !== '')
            .slice(0, MESSAGE_LINES)
            .join('\n'),
        })),
      }),
    );
  }
}
module.exports = SummaryReporter;
