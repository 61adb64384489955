import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend } from '@sanksi/event-store';

/** How much work each scenario does; BENCH_SCALE multiplies every count (default 1). */
export interface BenchSizes {
  singleAppends: number;
  concurrentAppends: number;
  writers: number;
  batches: number;
  batchSize: number;
}

/**
 * Sizes for one backend: `fsyncBound` backends get fewer one-by-one appends to stay within the time
 * budget, but enough (2,400 over 12 slices) that one slow WAL flush queue does not decide the line.
 */
export function benchSizes(fsyncBound: boolean): BenchSizes {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  const n = (count: number): number =>
    Math.max(16, Math.round(count * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
  return {
    singleAppends: n(fsyncBound ? 2400 : 10_000),
    concurrentAppends: n(fsyncBound ? 3000 : 20_000),
    writers: Number(process.env.BENCH_WRITERS ?? '8'),
    batches: n(150),
    batchSize: Number(process.env.BENCH_BATCH_SIZE ?? '100'),
  };
}

// Shaped like a domain envelope: a small payload and a metadata block carrying the case state.
/** The benchmark payload. */
export const DATA = {
  reason: 'Belum terdaftar di OSS per 20 Juli 2022',
  letterNumber: 'B-1234/DJAI/AI.02.02/07/2022',
  dueWorkingDays: 5,
};
/** The benchmark metadata, shaped like a domain envelope. */
export const METADATA = {
  pseId: 'pse-00000000',
  occurredAt: '2022-07-21T09:00:00+07:00',
  recordedAt: '2022-07-21T09:00:05+07:00',
  actor: { id: 'op-17', role: 'operator' },
  commandId: '00000000-0000-0000-0000-000000000000',
  correlationId: '00000000-0000-0000-0000-000000000000',
  causationId: null,
  policyVersion: 'kominfo-2022',
  state: {
    state: 'warned',
    substate: null,
    value: 'warned',
    since: '2022-07-21T09:00:00+07:00',
    onBlocklist: false,
    domains: ['example.co.id', 'www.example.co.id'],
    name: 'Contoh Layanan',
    origin: 'foreign',
    company: 'Example Inc.',
    sector: 'games',
    registrationNumber: null,
    warnings: 1,
    blocks: 0,
    fines: { imposedIdr: 0, paidIdr: 0, annulledIdr: 0, outstandingIdr: 0 },
    nextDeadline: { kind: 'warningResponse', dueAt: '2022-07-28T23:59:59+07:00', fineId: null },
    deadlines: [{ kind: 'warningResponse', dueAt: '2022-07-28T23:59:59+07:00', fineId: null }],
    escalation: { pending: false, allowed: [] },
  },
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
};

/** One benchmark event (the same payload every time, a fresh id). */
export function benchEvent(): EventToAppend {
  return { eventId: randomUUID(), type: 'WarningIssued', data: DATA, metadata: METADATA };
}

/** Writer `w`'s part of `total` appends split over `writers`: exact, never rounded up. */
export function share(total: number, writers: number, w: number): number {
  return Math.floor(total / writers) + (w < total % writers ? 1 : 0);
}

/** Runs `fn` and returns events per second. */
export async function rate(events: number, fn: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return events / seconds;
}

/** `writers` concurrent loops of single-event appends with an exact expected revision, each over its own streams. */
export async function storeSingleAppends(
  store: EventStore,
  run: string,
  total: number,
  writers: number,
): Promise<void> {
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const revisions = new Map<string, number>();
      for (let i = 0; i < share(total, writers, w); i++) {
        const streamId = `pse-${run}w${w}s${i % 64}`;
        const current = revisions.get(streamId);
        const result = await store.appendToStream(streamId, [benchEvent()], {
          expectedRevision: current === undefined ? 'no_stream' : current,
        });
        revisions.set(streamId, result.nextExpectedRevision);
      }
    }),
  );
}

/** Sequential appends of `batchSize` events each, one new stream per append. */
export async function storeBatchedAppends(
  store: EventStore,
  run: string,
  batches: number,
  batchSize: number,
): Promise<void> {
  for (let b = 0; b < batches; b++) {
    await store.appendToStream(
      `pse-${run}b${b}`,
      Array.from({ length: batchSize }, () => benchEvent()),
      { expectedRevision: 'no_stream' },
    );
  }
}

/** Reads the whole global log in pages; returns how many events it read. */
export async function storeReadAll(store: EventStore, pageSize = 1000): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: pageSize });
    if (page.length === 0) return count;
    count += page.length;
    after = page[page.length - 1].position;
  }
}
