// Shared jest settings: @swc/jest compiles TypeScript (with decorator metadata for Nest),
// and @sanksi/* imports resolve to each lib's source, so tests never need a build.
const path = require('node:path');
const fs = require('node:fs');

const root = __dirname;
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.exclude;
delete swcrc.$schema;

module.exports = {
  testEnvironment: 'node',
  // Integration and e2e specs start servers and real stores; on a shared 2-core machine a 2 s test can
  // take more than jest's 5 s default. Specs that need longer still say so themselves.
  testTimeout: 30_000,
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
    // content-disposition 3 (under @fastify/static, for Swagger UI) and @nestjs/terminus 12 ship ESM
    // only: Node 20.19+ requires them natively, jest does not, so jest compiles them to CommonJS.
    '/node_modules/(.*content-disposition|@nestjs/terminus)/.+\\.js$': [
      '@swc/jest',
      { ...swcrc, swcrc: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(.*/)?(content-disposition|@nestjs/terminus)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@sanksi/([a-z-]+)$': path.join(root, 'libs/$1/src/index.ts'),
    '^@sanksi/([a-z-]+)/testing$': path.join(root, 'libs/$1/src/testing/index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  reporters: ['default', path.join(root, 'tools/jest-summary-reporter.js')],
};
