// The command path in process: `CaseCommandService.execute` (parse, load the case, decide, append with
// the expected revision) driven by BENCH_CALLERS concurrent callers (default 64), each opening a case
// and then warning it, never the same case twice. Beside it, in alternating slices of the same run, the
// store's own concurrent append rate of the very same events: what the command path appended is read
// back and appended again, one append per command (same events, same command ids, same expected
// revisions, same concurrency) into a second store of the same kind. The issue "Throughput and scale"
// asks the command path for at least 0.8 of that. SQLite `synchronous=NORMAL` (what `sanksi serve`
// runs by default); set BENCH_DATABASE_URL (a PostgreSQL server URL) for the PostgreSQL line too.
// BENCH_COMMAND_CASES sets the cases per slice (default 1,000: 2,000 commands), BENCH_SLICES the slices;
// BENCH_COMMANDS_ONLY=1 leaves the store's replay out; BENCH_CPU_PROFILE=<file> writes a V8 CPU profile of
// the measured command-path runs only (no start-up, no warm-up, no replay) for `cpuprofile-summary`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CaseCommandService } from '@sanksi/application';
import { caseStreamId } from '@sanksi/contracts';
import type { Actor, PseCaseCommand } from '@sanksi/domain';
import {
  PostgresEventStore,
  SqliteEventStore,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
} from '@sanksi/event-store';
import { Client } from 'pg';
import { rate } from './event-store/bench-workload';

const CALLERS = Math.max(1, Number(process.env.BENCH_CALLERS ?? '64'));
const CASES = Math.max(CALLERS, Number(process.env.BENCH_COMMAND_CASES ?? '1000'));
const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? '4'));
const GOAL = 0.8;
// For profiling the command path alone (`node --cpu-prof`): the store's replay is left out.
const COMMANDS_ONLY = process.env.BENCH_COMMANDS_ONLY === '1';
const ACTOR: Actor = { id: 'bench-operator', role: 'operator' };

/** The two commands of one case: open it, then warn it two days later (business time). */
function commandsOf(pseId: string): Array<{ command: PseCaseCommand; occurredAt: string }> {
  return [
    {
      command: {
        type: 'IdentifyPse',
        pseId,
        name: `Bench system ${pseId}`,
        origin: 'foreign',
        domains: [`${pseId}.example.com`],
        company: null,
        sector: null,
        policy: 'kominfo-2022',
      },
      occurredAt: '2022-07-21T09:00:00+07:00',
    },
    {
      command: { type: 'IssueWarning', pseId, letterNumber: `B-${pseId}/DJAI/2022` },
      occurredAt: '2022-07-23T09:00:00+07:00',
    },
  ];
}

/** `callers` loops taking the next case from a shared counter until `count` cases are done. */
async function concurrently(
  count: number,
  callers: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

/** One append per command, as the command path made them (events, command id, expected revision). */
interface RecordedAppend {
  streamId: string;
  commandId: string;
  events: EventToAppend[];
}

/** Reads back what the command path appended for `pseIds`, grouped into the appends that wrote it. */
async function appendsOf(store: EventStore, pseIds: string[]): Promise<RecordedAppend[][]> {
  const toAppend = (e: RecordedEvent): EventToAppend => ({
    eventId: e.eventId,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    schemaVersion: e.schemaVersion,
  });
  return Promise.all(
    pseIds.map(async (pseId) => {
      const streamId = caseStreamId(pseId);
      const appends: RecordedAppend[] = [];
      for (const event of await store.readStream(streamId)) {
        const metadata = event.metadata as { append?: string; commandId: string };
        const commandId = metadata.append ?? metadata.commandId;
        const last = appends[appends.length - 1];
        if (last?.commandId === commandId) last.events.push(toAppend(event));
        else appends.push({ streamId, commandId, events: [toAppend(event)] });
      }
      return appends;
    }),
  );
}

interface Backend {
  label: string;
  /** A fresh store; `role` keeps the command path's and the replay's apart. */
  open(role: 'commands' | 'appends'): Promise<EventStore>;
  cleanup(): Promise<void>;
}

/** The V8 profiler of this process, started and stopped around the measured command runs. */
class Profiler {
  private readonly session = new Session();
  private started = false;
  constructor(private readonly file: string) {}
  async start(): Promise<void> {
    if (!this.started) {
      this.session.connect();
      await this.session.post('Profiler.enable');
      // 100 µs rather than the default 1 ms: a command costs well under a millisecond.
      await this.session.post('Profiler.setSamplingInterval', { interval: 100 });
      this.started = true;
    }
    await this.session.post('Profiler.start');
  }
  async stop(label: string, slice: string): Promise<void> {
    const { profile } = await this.session.post('Profiler.stop');
    writeFileSync(`${this.file}.${label.replace(/\W+/g, '-')}.${slice}.cpuprofile`, JSON.stringify(profile));
  }
}

const PROFILE = process.env.BENCH_CPU_PROFILE;
const profiler = PROFILE ? new Profiler(PROFILE) : undefined;

/** The command path as configured: with the case head cache (the default), and without it (every case read). */
const VARIANTS = [
  { label: 'no head cache', caseHeadCapacity: 0 },
  { label: 'head cache', caseHeadCapacity: undefined },
] as const;

interface Measured {
  /** Commands per second of each variant, by label. */
  commands: Map<string, number>;
  /** The store's own rate of the same appends. */
  appends: number;
  /** This process's CPU time (user + system) per command or append, µs, by label ('appends' for the store). */
  cpuMicros: Map<string, number>;
}

/** Runs `fn` and adds the CPU time this process spent (µs) to `into[label]`. */
async function onCpu<T>(into: Map<string, number>, label: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cpuUsage();
  const result = await fn();
  const spent = process.cpuUsage(before);
  into.set(label, (into.get(label) ?? 0) + spent.user + spent.system);
  return result;
}

async function measure(backend: Backend): Promise<Measured> {
  const commandStore = await backend.open('commands');
  const appendStore = await backend.open('appends');
  const services = VARIANTS.map((variant) => ({
    label: variant.label,
    service: new CaseCommandService(commandStore, {
      defaultPolicy: 'kominfo-2022',
      ...(variant.caseHeadCapacity === undefined ? {} : { caseHeadCapacity: variant.caseHeadCapacity }),
    }),
  }));
  const seconds = new Map<string, number>();
  const cpu = new Map<string, number>();
  const add = (label: string, s: number): void => {
    seconds.set(label, (seconds.get(label) ?? 0) + s);
  };
  const run = async (slice: string, cases: number): Promise<void> => {
    let pseIds: string[] = [];
    for (const { label, service } of services) {
      pseIds = Array.from({ length: cases }, (_, i) => `bench-${slice}-${label.replace(/\W+/g, '')}-${i}`);
      const profiled = profiler !== undefined && slice !== 'warm';
      if (profiled) await profiler.start();
      const commandRate = await onCpu(cpu, label, () =>
        rate(cases * 2, () =>
          concurrently(cases, CALLERS, async (i) => {
            for (const { command, occurredAt } of commandsOf(pseIds[i])) {
              await service.execute(command, { actor: ACTOR, occurredAt });
            }
          }),
        ),
      );
      if (profiled) await profiler.stop(`${backend.label}.${label}`, slice);
      add(label, (cases * 2) / commandRate);
    }
    if (COMMANDS_ONLY) return;
    // The last variant's appends, one per command, as the command path made them.
    const appends = await appendsOf(commandStore, pseIds);
    const appendRate = await onCpu(cpu, 'appends', () =>
      rate(cases * 2, () =>
        concurrently(cases, CALLERS, async (i) => {
          let revision = -1;
          for (const append of appends[i]) {
            await appendStore.appendToStream(append.streamId, append.events, {
              expectedRevision: revision < 0 ? 'no_stream' : revision,
              commandId: append.commandId,
            });
            revision += append.events.length;
          }
        }),
      ),
    );
    add('appends', (cases * 2) / appendRate);
  };
  try {
    // Warm-up: JIT, prepared statements, the first pages of both files.
    await run('warm', Math.min(CASES, 200));
    seconds.clear();
    cpu.clear();
    for (let slice = 0; slice < SLICES; slice++) await run(`s${slice}`, CASES);
    const total = CASES * 2 * SLICES;
    return {
      commands: new Map(VARIANTS.map(({ label }) => [label, total / (seconds.get(label) ?? NaN)])),
      appends: total / (seconds.get('appends') ?? NaN),
      cpuMicros: new Map([...cpu].map(([label, micros]) => [label, micros / total])),
    };
  } finally {
    await commandStore.close();
    await appendStore.close();
    await backend.cleanup();
  }
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-cmd-'));
  return {
    label: 'sqlite NORMAL',
    open: async (role) => {
      const store = new SqliteEventStore({ file: path.join(dir, `${role}.db`), synchronous: 'NORMAL' });
      await store.whenReady();
      return store;
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresBackend(url: string): Promise<Backend> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const names: string[] = [];
  return {
    label: 'postgres',
    open: async (role) => {
      const name = `sanksi_bench_cmd_${role}_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
      names.push(name);
      const target = new URL(url);
      target.pathname = `/${name}`;
      return new PostgresEventStore({ connectionString: target.toString() });
    },
    cleanup: async () => {
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

function fmt(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`.padStart(10);
}

/** Prints commands/s of the in-process command path beside the store's own append rate of the same events. */
export async function run(): Promise<void> {
  console.log(
    `  ${CALLERS} callers, ${SLICES} slices of ${CASES} cases (open + warning: ${CASES * 2} commands) per line; the lines alternate within each slice\n` +
      `  wall: commands/s beside the store's appends/s of the same events; CPU: this process's µs per command (per append for the store)\n` +
      `  ${'backend'.padEnd(14)} ${'command path'.padEnd(14)} ${'commands'.padStart(10)} ${'appends'.padStart(10)} ratio (goal >= ${GOAL})  ${'CPU/cmd'.padStart(8)} ${'CPU/app'.padStart(8)} CPU ratio`,
  );
  const backends: Array<() => Promise<Backend>> = [async () => sqliteBackend()];
  const url = process.env.BENCH_DATABASE_URL;
  if (url) backends.push(() => postgresBackend(url));
  for (const make of backends) {
    const backend = await make();
    const { commands, appends, cpuMicros } = await measure(backend);
    const appendCpu = cpuMicros.get('appends') ?? NaN;
    for (const [label, perSecond] of commands) {
      const commandCpu = cpuMicros.get(label) ?? NaN;
      const ratio = perSecond / appends;
      const verdict = COMMANDS_ONLY
        ? '(store replay left out: BENCH_COMMANDS_ONLY=1)'
        : `${ratio.toFixed(2)} ${(ratio >= GOAL ? 'met' : 'NOT met').padEnd(19)}`;
      const cpu = COMMANDS_ONLY
        ? `${us(commandCpu)}`
        : `${us(commandCpu)} ${us(appendCpu)} ${(appendCpu / commandCpu).toFixed(2)}`;
      console.log(
        `  ${backend.label.padEnd(14)} ${label.padEnd(14)} ${fmt(perSecond)} ${COMMANDS_ONLY ? ''.padStart(10) : fmt(appends)} ${verdict} ${cpu}`,
      );
    }
  }
  if (!url) console.log('  postgres: skipped (set BENCH_DATABASE_URL to a PostgreSQL server URL)');
}

function us(micros: number): string {
  return `${Math.round(micros)} µs`.padStart(8);
}
