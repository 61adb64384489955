// Two kinds of test: components in jsdom (*.spec.ts, *.spec.tsx) and the console in headless Chromium
// against the real API (*.e2e.spec.ts, node environment). Both compile TSX with swc for Preact.
const path = require('node:path');
const preset = require('../../jest.preset.js');

const swc = [
  '@swc/jest',
  {
    swcrc: false,
    jsc: {
      parser: { syntax: 'typescript', tsx: true, decorators: true },
      transform: {
        legacyDecorator: true,
        decoratorMetadata: true,
        react: { runtime: 'automatic', importSource: 'preact' },
      },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const shared = {
  rootDir: __dirname,
  transform: { ...preset.transform, '^.+\\.tsx?$': swc },
  transformIgnorePatterns: preset.transformIgnorePatterns,
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  // The browser tests host the api app itself (from source, like the libs).
  moduleNameMapper: {
    '^@sanksi/api$': path.join(__dirname, '../api/src/index.ts'),
    // Stylesheets are Vite's business; in jsdom an import of one is empty.
    '\\.css$': path.join(__dirname, 'src/testing/style-stub.js'),
    ...preset.moduleNameMapper,
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  rootDir: __dirname,
  testTimeout: preset.testTimeout,
  reporters: preset.reporters,
  projects: [
    {
      ...shared,
      displayName: 'console',
      testEnvironment: 'jsdom',
      // preact's "browser" export is an ES module; jest loads the CommonJS build instead.
      testEnvironmentOptions: { customExportConditions: ['require', 'default'] },
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.spec.tsx'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.e2e\\.spec\\.ts$'],
    },
    {
      ...shared,
      displayName: 'console-e2e',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/src/**/*.e2e.spec.ts'],
      // One build of the console per run, into a directory of its own under tmp/console-build/
      // (src/testing/console-build.ts): a concurrent build of apps/console/dist cannot break the run.
      globalSetup: '<rootDir>/src/testing/console-build.global-setup.ts',
      globalTeardown: '<rootDir>/src/testing/console-build.global-teardown.ts',
    },
  ],
};
