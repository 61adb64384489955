// A process that appends to one SQLite event store as fast as it can, in big group-committed batches,
// until it is killed. sqlite-crash.reliability.e2e.spec.ts SIGKILLs it mid-transaction and checks the
// file. Plain JavaScript over the built library, so it starts without a compiler.
// argv: <file> <first sequence number> <seed>
const path = require('node:path');
const { SqliteEventStore } = require(
  path.resolve(__dirname, '../../../../../libs/event-store/dist/index.js'),
);

const [file, firstArg, seedArg] = process.argv.slice(2);
let seq = Number(firstArg);
let state = Number(seedArg) >>> 0;
const random = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 4_294_967_296;
};

const store = new SqliteEventStore({ file });
const IN_FLIGHT = 8;

async function appendOne() {
  const mine = seq++;
  const size = 20 + Math.floor(random() * 60);
  const pad = 'x'.repeat(200 + Math.floor(random() * 1800));
  const events = Array.from({ length: size }, (_, i) => ({
    eventId: `a${mine}-${i}`,
    type: 'ReliabilityProbe',
    data: { append: mine, index: i, of: size, pad },
    metadata: { append: mine },
  }));
  // Twenty streams: appends to one stream share transactions and chain their revisions.
  const result = await store.appendToStream(`probe-${mine % 20}`, events, {
    expectedRevision: 'any',
    commandId: `append-${mine}`,
  });
  process.stdout.write(`committed ${mine} ${result.position}\n`);
}

async function lane() {
  for (;;) await appendOne();
}

store.whenReady().then(() => {
  process.stdout.write('ready\n');
  for (let i = 0; i < IN_FLIGHT; i++)
    lane().catch((e) => {
      process.stderr.write(`append failed: ${e && e.message}\n`);
      process.exit(1);
    });
});
