// Mutation testing of the domain with StrykerJS (`npm run test:mutation`, from the repository root; not
// part of `npm test` or CI). See docs/testing.md, "Mutation testing". Paths are relative to the root.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'libs/domain/jest.config.js',
    // The property specs replay hundreds of generated histories, and the model-based specs walk the whole
    // statechart (pse-case.machine.spec.ts walks it once per suite, so it also makes every machine mutant
    // "static"): each covers every mutant of the machine and the decider, and a run with them takes most of
    // a day on two cores. The score is that of the example-based specs (a lower bound);
    // SANKSI_MUTATION_ALL_SPECS=1 runs every spec.
    config: {
      testPathIgnorePatterns: [
        '/node_modules/',
        '/dist/',
        ...(process.env.SANKSI_MUTATION_ALL_SPECS === '1'
          ? []
          : [
              '\\.properties\\.spec\\.ts$',
              '/pse-case\\.machine\\.spec\\.ts$',
              '/pse-case\\.decide-paths\\.spec\\.ts$',
            ]),
      ],
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
