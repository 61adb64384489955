// A second process for the multi-process SQLite test: compiles the TypeScript sources on the fly
// with @swc/core and appends through its own SqliteEventStore on the same file.
const fs = require('node:fs');
const { randomUUID } = require('node:crypto');
const swc = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const { SqliteEventStore } = require('../sqlite-event-store.ts');
const [file, name, countText, mode] = process.argv.slice(2);
const count = Number(countText);

// One append of `count` events; the parent kills this process while it is being written.
async function bulk() {
  const store = new SqliteEventStore({ file, synchronous: 'FULL' });
  await store.whenReady();
  const events = Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    type: 'Bulk',
    data: { i, pad: 'x'.repeat(500) },
    metadata: {},
  }));
  process.send('appending');
  await store.appendToStream(`${name}-bulk`, events, { expectedRevision: 'no_stream' });
  process.send('appended');
  await new Promise(() => undefined);
}

// `count` single-event appends, a third of them to one shared stream.
async function appendMany() {
  const store = new SqliteEventStore({ file });
  let appended = 0;
  for (let i = 0; i < count; i++) {
    const event = {
      eventId: randomUUID(),
      type: name === 'remote' ? 'Remote' : 'Worker',
      data: { i },
      metadata: {},
    };
    const streamId = i % 3 === 0 ? `${name}-shared` : `${name}-${i}`;
    await store.appendToStream(streamId, [event], { expectedRevision: 'any' });
    appended++;
  }
  await store.close();
  process.stdout.write(`appended ${appended}\n`);
}

(mode === 'bulk' ? bulk() : appendMany()).catch((error) => {
  process.stderr.write(`${error && error.code} ${error && error.stack}\n`);
  process.exit(1);
});
