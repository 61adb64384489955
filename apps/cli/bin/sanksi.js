#!/usr/bin/env node
// The `sanksi` command at the repository root (`npx sanksi …`, package.json "bin"): committed with its
// executable bit, so it runs whatever mode the build gave dist/main.js.
'use strict';
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'main.js');
try {
  require.resolve(main);
} catch {
  process.stderr.write('sanksi: the CLI is not built yet: run `npm run build` first\n');
  process.exit(1);
}
require(main);
