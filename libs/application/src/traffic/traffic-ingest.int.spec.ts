import * as testing from '@sanksi/testing';
import { loadConfig } from '../config/sanksi-config';
import { ManualClock } from '../cases/clock';
import { listCaseIds } from '../cases/case-population';
import { createRuntime, type SanksiRuntime } from '../runtime/sanksi-runtime';
import { DiscoveryCandidateNotFound, openCaseFromDiscovery } from './traffic-discovery.service';
import { TrafficIngestService } from './traffic-ingest.service';
import { parseTrafficLines, TrafficCsvHeaderInvalid } from './traffic-rows.parser';

jest.setTimeout(60_000);

const IMPORTER = { actor: { id: 'importer', role: 'service' as const } };

const CSV = [
  'domain,period,visits,rank,source',
  'bigshop.example,2022-07,900000,1,sw',
  'https://www.NewsSite.example/home,2022-07,500000,2,sw',
  'smallshop.example,2022-07,100,900,sw',
  'bigshop.example,2022-07,900000,1,sw', // the same fact again
  'bad domain.example,2022-07,5,,sw',
  'nowhere.example,2022-13,5,,sw',
  'novisits.example,2022-07,,,sw',
  'tinyshop.example,2022-07,lots,,sw',
  '"unclosed.example,2022-07,5,,sw',
  'paypal.com,2022-07,800000,3,crawler',
  '',
  'bigshop.example,2022-06,700000,1,sw',
];

describe('traffic ingest into the event log (SQLite)', () => {
  let dir: testing.TemporaryDirectory;
  let runtime: SanksiRuntime;
  beforeEach(async () => {
    dir = testing.temporaryDirectory('sanksi-traffic-ingest');
    runtime = await createRuntime(loadConfig({ SANKSI_LOG_LEVEL: 'silent', SANKSI_DATA_DIR: dir.path }), {
      clock: new ManualClock('2022-08-05T03:00:00Z'),
    });
  });
  afterEach(async () => {
    await runtime.close();
    dir.remove();
  });

  it('given a CSV with good, repeated and bad rows, then the good ones are facts and each bad one is reported by line', async () => {
    const report = await runtime.traffic.ingest(parseTrafficLines(CSV, 'csv'), IMPORTER);
    expect(report).toMatchObject({ rows: 11, recorded: 5, duplicates: 1, rejected: 5 });
    expect(report.rejections.map((r) => r.line)).toEqual([6, 7, 8, 9, 10]);
    expect(report.rejections[0].reason).toMatch(/^domain: /);
    expect(report.rejections[1].reason).toMatch(/^period: /);
    expect(report.rejections[2].reason).toBe('visits: give visits, rank or both');
    expect(report.rejections[3].reason).toMatch(/^visits: /);
    expect(report.rejections[4].reason).toMatch(/quoted field/);
    expect(report.streams).toEqual(['traffic-crawler-2022-07', 'traffic-sw-2022-06', 'traffic-sw-2022-07']);
    const july = await runtime.eventStore.readStream('traffic-sw-2022-07');
    expect(july.map((e) => e.data)).toEqual([
      { domain: 'bigshop.example', period: '2022-07', visits: 900000, rank: 1, source: 'sw' },
      { domain: 'newssite.example', period: '2022-07', visits: 500000, rank: 2, source: 'sw' },
      { domain: 'smallshop.example', period: '2022-07', visits: 100, rank: 900, source: 'sw' },
    ]);
    expect(july[0]).toMatchObject({
      type: 'TrafficObserved',
      metadata: { recordedAt: '2022-08-05T03:00:00.000Z', actor: IMPORTER.actor, correlationId: null },
    });
  });

  it('given the same file twice, then the second ingest records nothing and counts every good row as a duplicate', async () => {
    await runtime.traffic.ingest(parseTrafficLines(CSV, 'csv'), IMPORTER);
    const head = await runtime.eventStore.headPosition();
    // A new service: another process, with nothing cached.
    const again = await new TrafficIngestService(runtime.eventStore, runtime.clock).ingest(
      parseTrafficLines(CSV, 'csv'),
      IMPORTER,
    );
    expect(again).toMatchObject({ recorded: 0, duplicates: 6, rejected: 5 });
    expect(await runtime.eventStore.headPosition()).toBe(head);
  });

  it('given a recorded figure and a file correcting it, then the correction is refused as already recorded with a different figure, by line, in this process and another, and nothing is appended', async () => {
    await runtime.traffic.ingest(parseTrafficLines(CSV, 'csv'), IMPORTER);
    const head = await runtime.eventStore.headPosition();
    const corrections = [
      'domain,period,visits,rank,source',
      'bigshop.example,2022-07,950000,1,sw', // visits corrected
      'bigshop.example,2022-07,900000,1,sw', // the recorded figure again
      'newssite.example,2022-07,500000,,sw', // rank dropped
      'fresh.example,2022-07,10,,sw',
      'fresh.example,2022-07,11,,sw', // contradicts the row above in the same file
    ];
    // The second time, by a service with nothing cached, fresh.example's first row is a duplicate too.
    // (the second lists one refusal unless told otherwise, as the Kafka consumer tells it for its batches)
    const services = [
      runtime.traffic,
      new TrafficIngestService(runtime.eventStore, runtime.clock, { maxRejections: 1 }),
    ];
    for (const [i, service] of services.entries()) {
      const report = await service.ingest(parseTrafficLines(corrections, 'csv'), {
        ...IMPORTER,
        ...(i === 1 ? { maxRejections: 6 } : {}),
      });
      expect(report).toMatchObject({ recorded: i === 0 ? 1 : 0, duplicates: i === 0 ? 1 : 2 });
      expect(report.rejections).toEqual([
        {
          line: 2,
          reason:
            'already recorded with a different figure: bigshop.example 2022-07 from sw has visits 900000, rank 1, ' +
            'this row says visits 950000, rank 1 (a correction is not recorded, decision 0008)',
        },
        {
          line: 4,
          reason: expect.stringMatching(
            /^already recorded with a different figure: newssite.example .* rank 2, this row says visits 500000, rank none /,
          ),
        },
        {
          line: 6,
          reason: expect.stringMatching(
            /^already recorded with a different figure: fresh.example 2022-07 from sw has visits 10, rank none, this row says visits 11/,
          ),
        },
      ]);
      expect(report.rejected).toBe(3);
    }
    const july = await runtime.eventStore.readStream('traffic-sw-2022-07');
    expect(july.map((e) => e.data)).toContainEqual({
      domain: 'bigshop.example',
      period: '2022-07',
      visits: 900000,
      rank: 1,
      source: 'sw',
    });
    // fresh.example's first figure is the one recorded, once.
    expect(await runtime.eventStore.headPosition()).toBe(head + 1);
  });

  it('given two ingests of overlapping rows at once, then each fact is recorded exactly once', async () => {
    const rows = (from: number, to: number) => [
      'domain,visits',
      ...Array.from({ length: to - from }, (_, i) => `d${from + i}.example,${1000 + from + i}`),
    ];
    const a = new TrafficIngestService(runtime.eventStore, runtime.clock, { batchSize: 7 });
    const b = new TrafficIngestService(runtime.eventStore, runtime.clock, { batchSize: 5 });
    const defaults = { source: 'sw', period: '2022-07' };
    const [ra, rb] = await Promise.all([
      a.ingest(parseTrafficLines(rows(0, 60), 'csv', defaults), IMPORTER),
      b.ingest(parseTrafficLines(rows(30, 90), 'csv', defaults), IMPORTER),
    ]);
    expect(ra.recorded + rb.recorded).toBe(90);
    expect(ra.duplicates + rb.duplicates).toBe(30);
    const domains = (await runtime.eventStore.readStream('traffic-sw-2022-07')).map(
      (e) => (e.data as { domain: string }).domain,
    );
    expect(new Set(domains).size).toBe(90);
    expect(domains).toHaveLength(90);
  });

  it('given JSON lines, then they are validated the same way, with unknown fields refused', async () => {
    const lines = [
      JSON.stringify({ domain: 'a.example', period: '2022-07', visits: 10, source: 'sw' }),
      '{not json',
      JSON.stringify({ domain: 'b.example', period: '2022-07', visits: 10, source: 'sw', extra: true }),
      JSON.stringify([1, 2]),
    ];
    const report = await runtime.traffic.ingest(parseTrafficLines(lines, 'jsonl'), IMPORTER);
    expect(report).toMatchObject({ rows: 4, recorded: 1, rejected: 3 });
    expect(report.rejections.map((r) => r.line)).toEqual([2, 3, 4]);
  });

  it('given a CSV without a domain column, then nothing is read and the header is named', async () => {
    await expect(
      runtime.traffic.ingest(parseTrafficLines(['host,visits', 'a.example,1'], 'csv'), IMPORTER),
    ).rejects.toBeInstanceOf(TrafficCsvHeaderInvalid);
    expect(await runtime.eventStore.headPosition()).toBe(0);
  });

  it('given observations and cases, then discovery opens a case for an uncovered domain with the observation as evidence, and verify-style tools see only cases', async () => {
    await runtime.commands.execute(
      {
        type: 'IdentifyPse',
        pseId: 'paypal',
        name: 'PayPal',
        origin: 'foreign',
        domains: ['paypal.com'],
        company: null,
        sector: null,
      },
      { actor: { id: 'op', role: 'operator' } },
    );
    await runtime.traffic.ingest(parseTrafficLines(CSV, 'csv'), IMPORTER);
    await runtime.projector.runOnce();
    await runtime.trafficProjector.runOnce();
    const candidates = await runtime.readModels.findDiscoveryCandidates({
      period: '2022-07',
      minVisits: 1000,
    });
    expect(candidates.map((c) => c.domain)).toEqual(['bigshop.example', 'newssite.example']);

    const { outcome } = await openCaseFromDiscovery(
      runtime,
      { domain: 'https://BigShop.example/' },
      { actor: { id: 'op', role: 'operator' } },
    );
    expect(outcome).toMatchObject({ pseId: 'traffic-bigshop.example', state: 'unregistered' });
    expect(outcome.events[0].data).toMatchObject({
      domains: ['bigshop.example'],
      source: 'traffic-monitoring',
      evidence: { domain: 'bigshop.example', period: '2022-07', visits: 900000, rank: 1, source: 'sw' },
    });
    await runtime.projector.runOnce();
    expect(
      (await runtime.readModels.findDiscoveryCandidates({ period: '2022-07' })).map((c) => c.domain),
    ).toEqual(['newssite.example', 'smallshop.example']);
    await expect(
      openCaseFromDiscovery(
        runtime,
        { domain: 'bigshop.example' },
        { actor: { id: 'op', role: 'operator' } },
      ),
    ).rejects.toBeInstanceOf(DiscoveryCandidateNotFound);
    await expect(
      openCaseFromDiscovery(runtime, { domain: 'unseen.example' }, { actor: { id: 'op', role: 'operator' } }),
    ).rejects.toBeInstanceOf(DiscoveryCandidateNotFound);
    // The population tools (verify, what-if) read case streams only.
    expect((await listCaseIds(runtime.eventStore)).sort()).toEqual(['paypal', 'traffic-bigshop.example']);
  });
});
