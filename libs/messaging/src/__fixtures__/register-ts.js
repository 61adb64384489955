// Lets a plain `node` child process run this repo's TypeScript sources, as jest does: .ts files are
// compiled on load with @swc/core (the root .swcrc settings) and `@sanksi/<lib>` resolves to the
// lib's src/index.ts. Used by the relay crash test to run a relay it can SIGKILL.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../../..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.exclude;
delete swcrc.$schema;

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveSanksi(request, ...rest) {
  const lib = /^@sanksi\/([a-z-]+)$/.exec(request);
  if (lib) return path.join(root, 'libs', lib[1], 'src', 'index.ts');
  return resolve.call(this, request, ...rest);
};

Module._extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    ...swcrc,
    swcrc: false,
    filename,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
