// Writes each project's pass/fail counts where tools/test.mjs can sum them into one closing line.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.name = (globalConfig.rootDir || process.cwd()).split(path.sep).slice(-2).join('-');
  }
  onRunComplete(_contexts, results) {
    const dir = process.env.SANKSI_TEST_RESULTS;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const { numPassedTests, numFailedTests, numPendingTests } = results;
    fs.writeFileSync(
      path.join(dir, `${this.name}.json`),
      JSON.stringify({ numPassedTests, numFailedTests, numPendingTests }),
    );
  }
}
module.exports = SummaryReporter;
