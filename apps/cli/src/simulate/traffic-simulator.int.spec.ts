import {
  createRuntime,
  loadConfig,
  ManualClock,
  type SanksiRuntime,
  validateTrafficRow,
} from '@sanksi/application';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { trafficScenario } from './traffic-simulator';

jest.setTimeout(120_000);

const REGISTRY = Array.from({ length: 150 }, (_, i) => `registered-${i + 1}.example`);
const scenario = (seed: number) =>
  trafficScenario({
    domains: 5000,
    seed,
    registryDomains: REGISTRY,
    unregistered: 14,
    top: 100,
    period: '2022-07',
    source: 'simulated',
  });

describe('simulated traffic', () => {
  it('given a seed, then the scenario is the same every time, and another seed gives another', () => {
    const a = [...scenario(7).rows()];
    expect([...scenario(7).rows()]).toEqual(a);
    expect(scenario(8).unregistered).not.toEqual(scenario(7).unregistered);
    expect(a).toHaveLength(5000);
    expect(new Set(a.map((r) => r.domain)).size).toBe(5000);
    // Zipf-like: visits never rise down the ranking, rank 1 has about 100 times rank 100.
    for (let i = 1; i < a.length; i++) expect(a[i].visits).toBeLessThanOrEqual(a[i - 1].visits);
    expect(Math.round(a[0].visits / a[99].visits)).toBe(100);
    // Every registry domain is among the traffic.
    const domains = new Set(a.map((r) => r.domain));
    expect(REGISTRY.every((d) => domains.has(d))).toBe(true);
  });

  it('given a registry too small to fill the reviewed top, then it says so instead of inventing candidates', () => {
    expect(() =>
      trafficScenario({
        domains: 500,
        seed: 1,
        registryDomains: REGISTRY.slice(0, 10),
        unregistered: 14,
        top: 100,
        period: '2022-07',
        source: 's',
      }),
    ).toThrow(RangeError);
  });

  describe('on real SQLite files', () => {
    let dir: string;
    let runtime: SanksiRuntime;
    beforeEach(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'sanksi-traffic-scenario-'));
      runtime = await createRuntime(loadConfig({ SANKSI_DATA_DIR: dir, SANKSI_LOG_LEVEL: 'silent' }), {
        clock: new ManualClock('2022-08-05T03:00:00Z'),
        logger: pino({ level: 'silent' }),
      });
    });
    afterEach(async () => {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('given the registry as cases and the scenario ingested, then discovery finds exactly the unregistered high-traffic domains, largest first', async () => {
      for (const [i, domain] of REGISTRY.entries()) {
        await runtime.commands.execute(
          {
            type: 'IdentifyPse',
            pseId: `reg-${i + 1}`,
            name: domain,
            origin: 'domestic',
            domains: [domain],
            company: null,
            sector: null,
          },
          { actor: { id: 'importer', role: 'admin' } },
        );
      }
      const s = scenario(42);
      let line = 0;
      const report = await runtime.traffic.ingest(
        (function* () {
          for (const r of s.rows()) yield validateTrafficRow(++line, r);
        })(),
        { actor: { id: 'simulator', role: 'admin' } },
      );
      expect(report).toMatchObject({ rows: 5000, recorded: 5000, rejected: 0 });
      await runtime.projector.runOnce();
      await runtime.trafficProjector.runOnce();

      const found = await runtime.readModels.findDiscoveryCandidates({
        period: '2022-07',
        minVisits: s.threshold,
        limit: 1000,
      });
      expect(found.map((c) => c.domain)).toEqual(s.unregistered.map((u) => u.domain));
      expect(found.map((c) => c.visits)).toEqual(s.unregistered.map((u) => u.visits));
      expect(found.map((c) => c.rankInList)).toEqual(s.unregistered.map((_, i) => i + 1));
      // Below the threshold the long tail begins: the next candidate is no registry domain either.
      const more = await runtime.readModels.findDiscoveryCandidates({ period: '2022-07', limit: 15 });
      expect(more.slice(0, 14).map((c) => c.domain)).toEqual(s.unregistered.map((u) => u.domain));
      expect(more[14].visits ?? 0).toBeLessThan(s.threshold);
      // Open cases rank by traffic: the most visited registry domain's case comes first.
      const ranked = await runtime.readModels.getOpenCasesByTraffic(3);
      const topRegistry = [...s.rows()].find((r) => r.domain.startsWith('registered-'));
      expect(ranked[0]).toMatchObject({ name: topRegistry?.domain, visits: topRegistry?.visits });
    });
  });
});
