import { createEventStore, type EventStore } from '@sanksi/event-store';
import * as testing from '@sanksi/testing';
import path from 'node:path';
import { ProjectionFailed } from '../read-model.errors';
import { type OpenedBackend, readModelBackends, toAppend } from '../testing/read-model-backends.harness';
import { lateRecords2022 } from '../testing/scenario.fixture';
import { Projector } from './projector';

jest.setTimeout(60_000);

const observed = (
  domain: string,
  period: string,
  source: string,
  visits: number | null,
  rank: number | null = null,
) => ({
  eventId: `${source}-${period}-${domain}`,
  type: 'TrafficObserved',
  data: { domain, period, visits, rank, source },
  metadata: {
    recordedAt: '2022-08-05T00:00:00Z',
    actor: { id: 'importer', role: 'service' },
    correlationId: null,
  },
});

describe.each(readModelBackends(testing).all)('traffic projection into $name read models', (backend) => {
  let dir: testing.TemporaryDirectory;
  let events: EventStore;
  let db: OpenedBackend;
  beforeEach(async () => {
    dir = testing.temporaryDirectory('sanksi-traffic-projection');
    events = createEventStore({ kind: 'sqlite', file: path.join(dir.path, 'events.db'), pollIntervalMs: 20 });
    db = await backend.open();
    // Cases paypal, steam, tokopedia, xandr, newco with domains <pseId>.example, interleaved with traffic.
    for (const e of lateRecords2022().events) {
      await events.appendToStream(e.streamId, [toAppend(e)], { expectedRevision: 'any' });
    }
    await events.appendToStream(
      'traffic-sw-2022-07',
      [
        observed('paypal.example', '2022-07', 'sw', 9000, 3),
        observed('new1.example', '2022-07', 'sw', 5000, 8),
        observed('new2.example', '2022-07', 'sw', 300, 90),
        observed('rankonly.example', '2022-07', 'sw', null, 40),
      ],
      { expectedRevision: 'no_stream' },
    );
    await events.appendToStream(
      'traffic-crawler-2022-07',
      [
        observed('new1.example', '2022-07', 'crawler', 6000),
        observed('steam.example', '2022-07', 'crawler', 800),
      ],
      { expectedRevision: 'no_stream' },
    );
    // The same fact again (a replayed import before dedupe existed): the first one stays.
    await events.appendToStream('traffic-sw-2022-07', [observed('new2.example', '2022-07', 'sw', 99_999)], {
      expectedRevision: 'any',
    });
    await events.appendToStream('traffic-sw-2022-06', [observed('new2.example', '2022-06', 'sw', 200)], {
      expectedRevision: 'no_stream',
    });
  });
  afterEach(async () => {
    await events.close();
    await db.cleanup();
    dir.remove();
  });

  async function projectAll(): Promise<{ cases: Projector; traffic: Projector }> {
    const cases = new Projector({ source: events, store: db.store, batchSize: 4 });
    const traffic = new Projector({ source: events, store: db.store, projection: 'traffic', batchSize: 3 });
    await cases.runOnce();
    await traffic.runOnce();
    return { cases, traffic };
  }

  it('given the log ends with traffic, then the case projector is caught up (lag 0) and the traffic projector is not', async () => {
    const cases = new Projector({ source: events, store: db.store });
    const traffic = new Projector({ source: events, store: db.store, projection: 'traffic' });
    await cases.runOnce();
    expect((await cases.status()).lag).toBe(0);
    expect((await traffic.status()).lag).toBe(await events.headPosition());
    await traffic.runOnce();
    expect((await traffic.status()).lag).toBe(0);
  });

  it('given case and traffic streams, when both projectors run, then each reads only its own category', async () => {
    const { cases, traffic } = await projectAll();
    expect((await cases.status()).lastError).toBeNull();
    expect(await db.store.getCheckpoint('traffic-observations')).toBe(await events.headPosition());
    expect((await db.sql(`SELECT count(*) AS n FROM traffic_observations`))[0]['n']).toEqual(
      backend.name === 'postgres' ? '7' : 7,
    );
    expect((await db.sql(`SELECT count(*) AS n FROM case_summary`))[0]['n']).toEqual(
      backend.name === 'postgres' ? '5' : 5,
    );
    expect((await traffic.status()).lastError).toBeNull();
  });

  it('then discovery ranks the uncovered domains of a period, and minVisits and limit cut the list', async () => {
    await projectAll();
    expect(await db.store.findDiscoveryCandidates({ period: '2022-07' })).toEqual([
      {
        rankInList: 1,
        domain: 'new1.example',
        period: '2022-07',
        visits: 6000,
        rank: 8,
        sources: ['crawler', 'sw'],
      },
      { rankInList: 2, domain: 'new2.example', period: '2022-07', visits: 300, rank: 90, sources: ['sw'] },
      {
        rankInList: 3,
        domain: 'rankonly.example',
        period: '2022-07',
        visits: null,
        rank: 40,
        sources: ['sw'],
      },
    ]);
    expect(
      (await db.store.findDiscoveryCandidates({ period: '2022-07', minVisits: 1000 })).map((c) => c.domain),
    ).toEqual(['new1.example']);
    expect((await db.store.findDiscoveryCandidates({ period: '2022-06' })).map((c) => c.domain)).toEqual([
      'new2.example',
    ]);
    expect((await db.store.findDiscoveryCandidates({ limit: 1 })).map((c) => c.domain)).toEqual([
      'new1.example',
    ]);
    // The analysts' view reads the same table.
    const view = await db.sql(`SELECT domain FROM discovery_candidates ORDER BY domain`);
    expect(view.map((r) => r['domain'])).toEqual(['new1.example', 'new2.example', 'rankonly.example']);
  });

  it('then a case shows its traffic per period, and open cases rank by it', async () => {
    await projectAll();
    expect(await db.store.getCaseTraffic('paypal')).toEqual([
      { domain: 'paypal.example', period: '2022-07', visits: 9000, rank: 3, sources: ['sw'] },
    ]);
    expect(await db.store.getCaseTraffic('tokopedia')).toEqual([]);
    // Cases by traffic: paypal (9000) and steam (800, registered since: settled, so last with the rest).
    const first = await db.store.listCases({ sort: 'traffic', limit: 1 });
    expect(first.items.map((c) => c.pseId)).toEqual(['paypal']);
    const rest = await db.store.listCases({
      sort: 'traffic',
      limit: 10,
      cursor: first.nextCursor ?? undefined,
    });
    expect(rest.items.map((c) => c.pseId)).toEqual(['newco', 'steam', 'tokopedia', 'xandr']);
    expect(rest.nextCursor).toBeNull();
    expect(
      (await db.store.listCases({ sort: 'traffic', state: 'unregistered' })).items.map((c) => c.pseId),
    ).toEqual(['newco']);
    expect((await db.store.getOpenCasesByTraffic(10)).map((c) => c.pseId)).toEqual(['paypal']);
  });

  it('given a rebuild of the traffic projection, then the table comes back equal', async () => {
    const { traffic } = await projectAll();
    const before = await db.sql(`SELECT * FROM traffic_observations ORDER BY domain, period, source`);
    await traffic.rebuild();
    expect(await db.sql(`SELECT * FROM traffic_observations ORDER BY domain, period, source`)).toEqual(
      before,
    );
    // A rebuild of the case read models leaves traffic alone.
    const { cases } = await projectAll();
    await cases.rebuild();
    expect(await db.sql(`SELECT * FROM traffic_observations ORDER BY domain, period, source`)).toEqual(
      before,
    );
  });

  it('given a TrafficObserved event whose data does not parse, then the projection stops on it and keeps what came before', async () => {
    await projectAll();
    const bad = { ...observed('x.example', '2022-07', 'sw', 1), data: { domain: 'x.example' } };
    await events.appendToStream('traffic-sw-2022-08', [bad], { expectedRevision: 'no_stream' });
    const traffic = new Projector({ source: events, store: db.store, projection: 'traffic' });
    await expect(traffic.runOnce()).rejects.toBeInstanceOf(ProjectionFailed);
    expect((await traffic.status()).lastError).toMatchObject({ projection: 'traffic_observations' });
  });
});
