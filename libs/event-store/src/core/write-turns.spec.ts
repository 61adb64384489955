import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WriteTurns } from './write-turns';

jest.setTimeout(60_000);

// Each writer is a real thread: it compiles this folder's `write-turns.ts` with swc (what jest runs here),
// then makes `count` transactions — take, a little work of random length, note itself in the shared log,
// pass — and leaves, unless told to end without leaving after `stopAfter` transactions (a failed thread).
const WRITER = `
const { workerData } = require('node:worker_threads');
const { transformFileSync } = require(workerData.swc);
const { code } = transformFileSync(workerData.file, {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
});
const module_ = { exports: {} };
new Function('module', 'exports', 'require', code)(module_, module_.exports, require);
const turns = new module_.exports.WriteTurns(workerData.turns, workerData.index);
const log = new Int32Array(workerData.log);
if (workerData.leaveFirst) turns.leave();
for (let i = 0; i < workerData.count; i += 1) {
  if (i === workerData.stopAfter) process.exit(0);
  turns.take();
  const until = Date.now() + Math.random() * 3;
  while (Date.now() < until);
  const at = Atomics.add(log, 0, 1);
  log[1 + at] = workerData.index * 1000 + i;
  turns.pass();
}
turns.leave();
`;

/** Runs one writer thread per count; returns the log of (writer × 1000 + transaction) in commit order. */
async function rotate(
  counts: number[],
  stopAfter: Array<number | undefined> = [],
  leaveFirst: boolean[] = [],
): Promise<number[]> {
  const turns = WriteTurns.shared(counts.length);
  const total = counts.reduce((sum, n) => sum + n, 0);
  const log = new SharedArrayBuffer((1 + total) * Int32Array.BYTES_PER_ELEMENT);
  await Promise.all(
    counts.map(
      (count, index) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(WRITER, {
            eval: true,
            workerData: {
              swc: require.resolve('@swc/core'),
              file: path.join(__dirname, 'write-turns.ts'),
              turns,
              log,
              index,
              count,
              stopAfter: stopAfter[index] ?? -1,
              leaveFirst: leaveFirst[index] ?? false,
            },
          });
          worker.on('error', reject);
          worker.on('exit', () => {
            // What the simulation's parent does for a thread that ended: it writes no more.
            WriteTurns.leaveFor(turns, index);
            resolve();
          });
        }),
    ),
  );
  const entries = new Int32Array(log);
  return Array.from(entries.subarray(1, 1 + entries[0]));
}

describe('WriteTurns', () => {
  it('given three writers of 5, 2 and 4 transactions, when they run on threads twice, then both logs are the one rotation, a writer that is done leaving it', async () => {
    // given
    const counts = [5, 2, 4];
    // when
    const first = await rotate(counts);
    const second = await rotate(counts);
    // then
    const rotation = [0, 1000, 2000, 1, 1001, 2001, 2, 2002, 3, 2003, 4];
    expect(first).toEqual(rotation);
    expect(second).toEqual(rotation);
  });

  it('given a writer whose thread ends without leaving, when its parent makes it leave, then the others go on in rotation without it', async () => {
    // when: writer 1 ends after its first transaction
    const log = await rotate([3, 3, 3], [undefined, 1, undefined]);
    // then
    expect(log).toEqual([0, 1000, 2000, 1, 2001, 2, 2002]);
  });

  it('given a writer that left and writes after all (a burst cut short), then it does not wait for a turn and the others keep their rotation', async () => {
    // when: writer 0, whose turn comes first, leaves before its three writes; writers 1 and 2 write in turn
    const log = await rotate([3, 2, 2], [], [true]);
    // then
    expect(log.filter((entry) => entry < 1000)).toEqual([0, 1, 2]);
    expect(log.filter((entry) => entry >= 1000)).toEqual([1000, 2000, 1001, 2001]);
  });

  it('given one writer, then it takes every turn; leaving twice is harmless', async () => {
    // when
    const log = await rotate([3]);
    const alone = new WriteTurns(WriteTurns.shared(1), 0);
    alone.leave();
    alone.leave();
    alone.take();
    // then
    expect(log).toEqual([0, 1, 2]);
  });

  it('given a rotation of no writer, or a writer outside it, then a RangeError naming the numbers', () => {
    expect(() => WriteTurns.shared(0)).toThrow('a rotation needs at least one writer, not 0');
    expect(() => new WriteTurns(WriteTurns.shared(2), 2)).toThrow("writer 2 is not one of the rotation's 2");
  });
});
