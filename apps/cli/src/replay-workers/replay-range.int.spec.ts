import { createRuntime, listCaseIds, loadConfig, type SanksiRuntime } from '@sanksi/application';
import type { WhatIfReport } from '@sanksi/domain';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { simulatePopulation } from '../simulate/population-simulator';
import { replayPopulation } from './replay-pool';
import {
  casesBeginningIn,
  logRanges,
  type RangeResult,
  replayStoreConfig,
  listedFinding,
  runReplayRange,
} from './replay-range';
import type { ReplayTask } from './replay-task';

jest.setTimeout(120_000);

const WHAT_IF: ReplayTask = { kind: 'what-if', policy: 'mr5-literal', until: '2026-12-01T23:59:59+07:00' };

describe('replaying the population slice by slice of the log (real SQLite file)', () => {
  let dir: string;
  let runtime: SanksiRuntime;
  let head: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sanksi-replay-range-'));
    runtime = await createRuntime(loadConfig({ SANKSI_DATA_DIR: dir }), {
      logger: pino({ level: 'silent' }),
    });
    // 60 systems simulated 8 at a time: their streams interleave in the log.
    await simulatePopulation(runtime.commands, { systems: 60, seed: 3, policy: 'pp43-2023', concurrency: 8 });
    head = await runtime.eventStore.headPosition();
  });
  afterAll(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const replayInSlices = async (task: ReplayTask, size: number, keep?: number) => {
    const results: RangeResult[] = [];
    for (const range of logRanges(head, size))
      results.push(await runReplayRange(task, runtime.eventStore, range, keep));
    return results;
  };

  it('given any slice size, when the cases beginning in each slice are listed, then every case appears once, in the order of the whole log', async () => {
    // given the population as one pass over the log lists it
    const everyCase = await listCaseIds(runtime.eventStore);
    expect(everyCase).toHaveLength(60);
    // (the store lists stream starts from its index; a store without that capability is scanned instead)
    const scanned = { readAll: runtime.eventStore.readAll.bind(runtime.eventStore) };
    expect(runtime.eventStore.readStreamStarts).toBeDefined();
    for (const size of [1, 7, 50, head]) {
      // when each slice lists the cases that begin in it
      const listed: Array<{ pseId: string; position: number }> = [];
      const listedByScan: typeof listed = [];
      for (const range of logRanges(head, size)) {
        listed.push(...(await casesBeginningIn(runtime.eventStore, range)));
        listedByScan.push(...(await casesBeginningIn(scanned, range)));
      }
      // then together they are the population, once each, in log order, and both ways agree
      expect(listed.map((c) => c.pseId)).toEqual(everyCase);
      expect(listedByScan).toEqual(listed);
    }
  });

  it('given a store that reads a chunk of streams at once (PostgreSQL, SQLite), then the replay is the same as stream by stream, in one read a chunk', async () => {
    const store = runtime.eventStore;
    let reads = 0;
    const batched = {
      readAll: store.readAll.bind(store),
      readStreamStarts: store.readStreamStarts?.bind(store),
      readStream: () => Promise.reject(new Error('a chunk is read at once')),
      readStreams: async (ids: readonly string[]) => {
        reads += 1;
        return Promise.all(ids.map((id) => store.readStream(id)));
      },
    };
    const oneByOne = { ...batched, readStreams: undefined, readStream: store.readStream.bind(store) };
    for (const task of [WHAT_IF, { kind: 'verify' } satisfies ReplayTask]) {
      const whole = { after: 0, upTo: head };
      const expected = await runReplayRange(task, oneByOne, whole);
      expect(await runReplayRange(task, batched, whole)).toEqual(expected);
      // the store's own (SQLite's: a chunk's streams in one read transaction)
      expect(await runReplayRange(task, store, whole)).toEqual(expected);
    }
    // 60 cases in chunks of 64: one read a task
    expect(reads).toBe(2);
  });

  it('given slices of a few positions, when a what-if is replayed slice by slice, then the same cases, events, findings and counts as in one slice', async () => {
    // given the whole log as one slice
    const [whole] = await replayInSlices(WHAT_IF, head);
    expect(whole.cases).toBe(60);
    expect(whole.events).toBe(head);
    expect(whole.findings.length).toBeGreaterThan(0);
    // when cut into slices smaller than a case's history (cases then end in later slices than they begin)
    const sliced = await replayInSlices(WHAT_IF, 5);
    // then each case is replayed once and whole, and the findings keep the population's order
    expect(sliced.reduce((n, r) => n + r.cases, 0)).toBe(60);
    expect(sliced.reduce((n, r) => n + r.events, 0)).toBe(head);
    expect(sliced.reduce((n, r) => n + r.positions, 0)).toBe(head);
    const findings = sliced.flatMap((r) => r.findings);
    expect(findings).toEqual(whole.findings);
    const order = findings.map((f) => f.order);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const everyCase = await listCaseIds(runtime.eventStore);
    const differing = findings.map((f) => (f.finding as WhatIfReport).pseId);
    expect(differing).toEqual(everyCase.filter((id) => differing.includes(id)));
  });

  it('given a bound on the findings kept, when the population is replayed, then the first ones in population order and the whole count', async () => {
    const source = { store: runtime.eventStore, config: replayStoreConfig(runtime.config), head };
    const all = await replayPopulation(source, WHAT_IF, 1);
    expect(all.found).toBe(all.findings.length);
    expect(all.found).toBeGreaterThan(4);
    const firstTwo = await replayPopulation(source, WHAT_IF, 1, { keep: 2 });
    expect(firstTwo).toEqual({ ...all, findings: all.findings.slice(0, 2) });
    // listed: every finding handed over as its text, in population order, none kept
    const listed: string[] = [];
    let listedCount = 0;
    const handedOver = await replayPopulation(source, WHAT_IF, 1, {
      keep: 2,
      onListed: ({ bytes, count }) => {
        listed.push(Buffer.from(bytes).toString('utf8'));
        listedCount += count;
      },
    });
    expect(listedCount).toBe(all.found);
    const text = listed.join('');
    expect(text).toEqual(all.findings.map((f) => `,\n${listedFinding(f)}`).join(''));
    expect(JSON.parse(`[${text.slice(1)}]`)).toEqual(all.findings);
    expect(handedOver).toEqual({ ...all, findings: [] });
    // cut into slices, each slice lists its own findings, none as objects: the pieces join into the same text
    const slices: RangeResult[] = [];
    for (const range of logRanges(head, 5))
      slices.push(await runReplayRange(WHAT_IF, runtime.eventStore, range, 0, true));
    expect(slices.flatMap((r) => r.findings)).toEqual([]);
    expect(slices.reduce((n, r) => n + r.found, 0)).toBe(all.found);
    expect(slices.filter((r) => (r.listed?.count ?? 0) > 0).length).toBeGreaterThan(1);
    expect(slices.reduce((n, r) => n + (r.listed?.count ?? 0), 0)).toBe(all.found);
    expect(slices.map((r) => Buffer.from(r.listed?.bytes ?? []).toString('utf8')).join('')).toEqual(text);
    // and a slice sends back no more than the bound, with its whole count
    const [slice] = await replayInSlices(WHAT_IF, head, 3);
    expect(slice.findings).toEqual(
      all.findings.slice(0, 3).map((finding, i) => ({ order: slice.findings[i].order, finding })),
    );
    expect(slice.found).toBe(all.found);
  });

  it('given a healthy log, when verified slice by slice, then no divergence and every event checked', async () => {
    const sliced = await replayInSlices({ kind: 'verify' }, 11);
    expect(sliced.flatMap((r) => r.findings)).toEqual([]);
    expect(sliced.reduce((n, r) => n + r.events, 0)).toBe(head);
  });
});
