import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

// Module boundaries (ARCHITECTURE.md): the domain depends on nothing of ours, contracts on the
// domain only, data-access libs on domain and contracts, apps on libs. Tests may also use the
// generic helpers of `testing`, which itself depends on no other lib.
const production = [
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:domain'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [] },
  // The typed HTTP client (libs/client) runs in browsers too: it depends on no lib of ours.
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'type:data-access',
    onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data-access'],
  },
  {
    sourceTag: 'type:application',
    onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data-access'],
  },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:application',
      'type:domain',
      'type:contracts',
      'type:data-access',
      'type:client',
    ],
  },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  // Each app's scope: an app builds on the shared libs, never on another app (the CLI's `serve` is the
  // one exception, allowed below by name; the console has its own, narrower rule further down).
  { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['scope:shared'] },
];
const withTesting = production.map((c) =>
  c.sourceTag.startsWith('scope:')
    ? c
    : {
        ...c,
        onlyDependOnLibsWithTags: [
          ...c.onlyDependOnLibsWithTags,
          'type:testing',
          'type:domain',
          'type:contracts',
          'type:data-access',
          'type:application',
        ],
      },
);

const boundaries = (depConstraints, allow = []) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    { enforceBuildableLibDependency: false, allow, depConstraints, banTransitiveDependencies: false },
  ],
});

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  { ignores: ['**/dist', '**/node_modules', '**/*.js', '**/*.mjs', '.nx', 'infra', 'data', 'tmp'] },
  {
    files: ['**/*.ts'],
    rules: {
      ...boundaries(production),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', 'libs/testing/**/*.ts', 'apps/bench/**/*.ts', 'apps/api/src/testing/**/*.ts'],
    rules: { ...boundaries(withTesting), 'no-console': 'off' },
  },
  // `sanksi serve` runs the API and the worker in one process: the CLI is the one place allowed to
  // compose the two apps (docs/decisions/0002-one-process-serve.md).
  {
    files: ['apps/cli/src/**/*.ts'],
    rules: { ...boundaries(production, ['@sanksi/api', '@sanksi/worker']) },
  },
  {
    files: ['apps/cli/src/**/*.spec.ts'],
    rules: { ...boundaries(withTesting, ['@sanksi/api', '@sanksi/worker']) },
  },
  { files: ['apps/cli/src/output/**/*.ts', 'apps/cli/src/main.ts'], rules: { 'no-console': 'off' } },
  // The web console talks to the API over HTTP only, through the typed client (the one lib it imports:
  // type:client, browser-safe); its browser tests start the real API in-process, so they alone may import
  // the api app and the runtime that hosts it.
  {
    files: ['apps/console/src/**/*.ts', 'apps/console/src/**/*.tsx'],
    rules: {
      ...boundaries([{ sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['type:client'] }]),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: [
      'apps/console/src/**/*.spec.ts',
      'apps/console/src/**/*.spec.tsx',
      'apps/console/src/testing/**/*.ts',
    ],
    rules: { ...boundaries(withTesting, ['@sanksi/api']), 'no-console': 'off' },
  },
];
