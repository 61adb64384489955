// Mutation testing of the domain with StrykerJS (`npm run test:mutation`, from the repository root; not
// part of `npm test` or CI). See docs/testing.md, "Mutation testing". Paths are relative to the root.
import { fileURLToPath } from 'node:url';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'libs/domain/jest.config.js',
    // Stryker's jest runner starts one jest run per mutant over the spec files related to the mutated file
    // (--findRelatedTests) and loads each file before filtering its tests by name: with one registry per
    // spec file, every mutant paid for 30-odd evaluations of the domain. The mutation run's test files
    // (libs/domain/mutation/*.mutation.spec.ts) load the same specs in three groups, one registry each, and
    // its environment stops a file at its first failing test once a mutant is active. The property specs and
    // the two model-based walks (pse-case.machine.spec.ts, pse-case.decide-paths.spec.ts) cover every
    // mutant of the machine and the decider and take seconds each: they are left out, so the score is
    // that of the example-based specs (a lower bound); SANKSI_MUTATION_ALL_SPECS=1 includes them.
    config: {
      testMatch: ['<rootDir>/mutation/*.mutation.spec.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        '/dist/',
        ...(process.env.SANKSI_MUTATION_ALL_SPECS === '1' ? [] : ['/heavy\\.mutation\\.spec\\.ts$']),
      ],
      // An absolute path: jest resolves it from libs/domain, Stryker's coverage wrapper from the sandbox root.
      testEnvironment: fileURLToPath(new URL('./mutation/bail-environment.js', import.meta.url)),
    },
  },
  coverageAnalysis: 'perTest',
  mutate: [
    'libs/domain/src/**/*.ts',
    '!libs/domain/src/**/*.spec.ts',
    '!libs/domain/src/**/__fixtures__/**',
    // Data transcribed from the gazettes, and the diagram renderer: nothing there decides a case.
    '!libs/domain/src/calendar/holidays/**',
    '!libs/domain/src/calendar/holidays.table.ts',
    '!libs/domain/src/diagram/**',
  ],
  // The sandbox holds only what the domain's tests load: the domain, @sanksi/testing, the jest preset
  // and the statechart the diagram spec compares.
  ignorePatterns: [
    '/*',
    '!/package.json',
    '!/tsconfig.json',
    '!/tsconfig.base.json',
    '!/jest.preset.js',
    '!/.swcrc',
    '!/docs',
    '/docs/*',
    '!/docs/statechart.md',
    '!/tools',
    '/tools/*',
    '!/tools/jest-summary-reporter.js',
    '!/libs',
    '/libs/*',
    '!/libs/domain',
    '/libs/domain/dist',
    '!/libs/testing',
    '/libs/testing/dist',
  ],
  tempDirName: '.stryker-tmp',
  concurrency: 2,
  // The machine is shared: a generous margin keeps a run slowed by other work from passing for an
  // infinite loop (a timeout counts as a kill).
  timeoutMS: 10000,
  timeoutFactor: 3,
  // clear-text-file (tools/stryker-text-report.mjs): the score table and the surviving mutants, as text.
  appendPlugins: ['./tools/stryker-text-report.mjs'],
  reporters: ['html', 'json', 'clear-text', 'clear-text-file', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  eventReporter: { baseDir: 'reports/mutation/events' },
  thresholds: { high: 90, low: 85, break: null },
};
