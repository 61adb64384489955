// Where the event log's WAL is checkpointed, side by side in one run: SQLite's automatic checkpoint inside
// the commits (`inline`) against a thread of its own (`thread`, the default; SANKSI_SQLITE_CHECKPOINTS), under
// the bulk appends `simulate` and `import` make — 128 appends a turn, one event each, to streams visited in a
// scattered order, every event the size of a real one (~1.4 KB: its metadata records the case state). Prints
// wall time and the CPU of the appending thread (this one), alternating the modes. BENCH_CHECKPOINT_STREAMS
// (default 30,000) × BENCH_CHECKPOINT_ROUNDS (default 4) events a run, BENCH_SLICES runs of each (default 3).
import { type SqliteCheckpoints, SqliteEventStore } from '@sanksi/event-store';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const STREAMS = Math.max(128, Number(process.env.BENCH_CHECKPOINT_STREAMS ?? 30_000));
const ROUNDS = Math.max(1, Number(process.env.BENCH_CHECKPOINT_ROUNDS ?? 4));
const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? 3));
const PER_TURN = 128;

/** CPU milliseconds of this thread (Linux's per-thread counters); the process's elsewhere. */
function threadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  }
}

/** Metadata of the size and shape the command path records: the envelope's fields and the state it led to. */
function metadataOf(pseId: string, revision: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2022, 8, 1 + (revision % 28), 10)).toISOString();
  return {
    pseId,
    occurredAt: at,
    recordedAt: at,
    actor: { id: 'sanksi-simulate', role: 'operator' },
    commandId: `simulate:1:${pseId}:${revision}`,
    correlationId: `simulate:1:${pseId}`,
    causationId: null,
    policyVersion: 'pp43-2023',
    revision,
    state: {
      state: 'registrationPending',
      substate: null,
      value: 'registrationPending',
      since: at,
      onBlocklist: false,
      domains: [`${pseId}.sim.example`],
      name: `System ${pseId}`,
      origin: 'foreign',
      company: `PT ${pseId}`,
      sector: 'media',
      registrationNumber: null,
      warnings: 0,
      blocks: 0,
      fines: { imposedIdr: 0, paidIdr: 0, annulledIdr: 0, outstandingIdr: 0 },
      nextDeadline: null,
      deadlines: [],
      escalation: { pending: false, allowed: [] },
      memory: {
        pendingSubmission: 'oss',
        sinceBy: 'sanksi-simulate',
        lastElapsed: 'manualRegistrationFollowUp',
      },
    },
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    commandDigest: 'c'.repeat(64),
  };
}

async function run1(checkpoints: SqliteCheckpoints): Promise<{ wall: number; cpu: number; events: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-checkpoints-'));
  const store = new SqliteEventStore({ file: path.join(dir, 'events.db'), checkpoints });
  try {
    await store.whenReady();
    const end = store.beginBulkAppends();
    const started = process.hrtime.bigint();
    const cpu = threadCpuMs();
    let events = 0;
    for (let revision = 0; revision < ROUNDS; revision++) {
      for (let from = 0; from < STREAMS; from += PER_TURN) {
        const appends: Array<Promise<unknown>> = [];
        for (let s = from; s < Math.min(STREAMS, from + PER_TURN); s++) {
          // A scattered order, as cases come due in a population: the indexes take keys at random. 7919 is
          // prime, so the stride visits every stream once unless the count is a multiple of it.
          const pseId = `sim-${STREAMS % 7919 === 0 ? s : (s * 7919) % STREAMS}`;
          appends.push(
            store.appendToStream(
              `pse-${pseId}`,
              [
                {
                  eventId: `${pseId}-${revision}`,
                  type: 'RegistrationSubmitted',
                  data: { channel: 'oss', followUpDeadline: null },
                  metadata: metadataOf(pseId, revision),
                },
              ],
              {
                expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
                commandId: `c-${pseId}-${revision}`,
              },
            ),
          );
          events++;
        }
        await Promise.all(appends);
      }
    }
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    const used = threadCpuMs() - cpu;
    end();
    return { wall, cpu: used / 1000, events };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints bulk appends with the log checkpointed inside commits and on a thread, alternating, and their ratio. */
export async function run(): Promise<void> {
  console.log(
    `  ${STREAMS.toLocaleString('en-US')} streams × ${ROUNDS} events, ${PER_TURN} appends a turn (a bulk burst), SQLite NORMAL, ${SLICES} runs each, alternating`,
  );
  const totals: Record<SqliteCheckpoints, { wall: number; cpu: number; events: number }> = {
    inline: { wall: 0, cpu: 0, events: 0 },
    thread: { wall: 0, cpu: 0, events: 0 },
  };
  for (let slice = 0; slice < SLICES; slice++) {
    for (const mode of ['inline', 'thread'] as const) {
      const r = await run1(mode);
      totals[mode].wall += r.wall;
      totals[mode].cpu += r.cpu;
      totals[mode].events += r.events;
      console.log(
        `  ${mode.padEnd(7)} ${Math.round(r.events / r.wall)
          .toLocaleString('en-US')
          .padStart(7)} events/s   appending thread ${((r.cpu / r.events) * 1e6).toFixed(1)} µs CPU/event`,
      );
    }
  }
  const rate = (m: SqliteCheckpoints) => totals[m].events / totals[m].wall;
  const cpu = (m: SqliteCheckpoints) => (totals[m].cpu / totals[m].events) * 1e6;
  console.log(
    `  thread/inline: ${(rate('thread') / rate('inline')).toFixed(2)}× the appends a second, ` +
      `${(cpu('thread') / cpu('inline')).toFixed(2)} of the appending thread's CPU an event ` +
      `(${cpu('inline').toFixed(1)} → ${cpu('thread').toFixed(1)} µs)`,
  );
}
