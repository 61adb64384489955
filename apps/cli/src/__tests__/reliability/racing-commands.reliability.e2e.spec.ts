import { tempDir } from '../cli-process.fixture';
import { freshDatabase, logInvariants, loggedEvents, withClient } from './postgres-checks';
import {
  portFor,
  recordFigures,
  runSeed,
  seededRandom,
  type Served,
  sized,
  startServe,
} from './reliability.fixture';

jest.setTimeout(sized(180_000, 1_800_000));

interface Answer {
  status: number;
  contentType: string;
  body: {
    version?: number;
    events?: Array<{ eventId: string; type: string }>;
    type?: string;
    detail?: string;
    reason?: string;
  };
}

describe('reliability: racing commands through two API processes on one PostgreSQL', () => {
  const { dir, cleanup } = tempDir('race');
  let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  const apis: Served[] = [];
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.stop()));
    await database?.drop();
    cleanup();
  });

  it('given a few hundred cases, when many clients race commands with and without If-Match and retry with Idempotency-Key, then no lost update, no duplicate event, every refusal explained', async () => {
    const seed = runSeed();
    const random = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const total = sized(500, 10_000);
    const caseCount = sized(50, 300);
    const clients = sized(12, 48);
    process.stdout.write(`racing commands: seed ${seed}, ${total} commands on ${caseCount} cases\n`);
    database = await freshDatabase('race');
    const env = {
      SANKSI_DATA_DIR: dir,
      SANKSI_EVENT_STORE: 'postgres',
      SANKSI_READ_MODELS: 'postgres',
      DATABASE_URL: database.url,
      // API only: every event in the log then comes from one of the answers checked below.
      SANKSI_WORKER: 'none',
    };
    apis.push(await startServe(portFor(31), env));
    apis.push(await startServe(portFor(32), env));
    const key = apis[0].keys.operator;

    const send = async (
      api: Served,
      url: string,
      body: unknown,
      headers: Record<string, string> = {},
    ): Promise<Answer> => {
      const res = await fetch(`${api.base}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        body: (await res.json()) as Answer['body'],
      };
    };

    // Every answer that appended, by case: its events must be in the stream where it said.
    const applied: Array<{ pseId: string; version: number; eventIds: string[] }> = [];
    const refusals = new Map<string, number>();
    const unexplained: Array<{ url: string; answer: Answer }> = [];
    let replays = 0;
    let racedKeys = 0;
    const record = (pseId: string, url: string, answer: Answer) => {
      if (answer.status === 201) {
        applied.push({
          pseId,
          version: answer.body.version as number,
          eventIds: (answer.body.events ?? []).map((e) => e.eventId),
        });
        return;
      }
      if (answer.status === 200) return;
      const explained =
        [409, 412, 422].includes(answer.status) &&
        answer.contentType.startsWith('application/problem+json') &&
        typeof answer.body.type === 'string' &&
        typeof answer.body.detail === 'string' &&
        answer.body.detail.length > 0;
      if (!explained) unexplained.push({ url, answer });
      const reason = `${answer.status} ${String(answer.body.type).replace('https://sanksi.dev/problems/', '')}${
        // The reason names the instant the case entered its state: counted without it.
        answer.body.reason ? ` (${answer.body.reason.replace(/ \(since [^)]*\)/g, '')})` : ''
      }`;
      refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
    };

    const cases = Array.from({ length: caseCount }, (_, i) => `race-${i}`);
    await Promise.all(
      cases.map(async (pseId, i) => {
        const answer = await send(apis[i % 2], '/v1/cases', {
          pseId,
          name: `Race ${pseId}`,
          origin: i % 3 === 0 ? 'domestic' : 'foreign',
          domains: [`${pseId}.example.com`],
        });
        expect(answer.status).toBe(201);
        record(pseId, '/v1/cases', answer);
      }),
    );

    // The version each client last saw per case: often stale by the time it is used, which is the point.
    const seen = new Map<string, number>(cases.map((c) => [c, 1]));
    const commands: Array<(pseId: string, n: number) => { url: string; body: unknown }> = [
      (p, n) => ({ url: `/v1/cases/${p}/warnings`, body: { letterNumber: `W-${n}` } }),
      (p, n) => ({
        url: `/v1/cases/${p}/fines`,
        body: { decisionNumber: `F-${n}`, amountIdr: 1_000_000 + n },
      }),
      (p, n) => ({ url: `/v1/cases/${p}/blocks`, body: { orderNumber: `B-${n}` } }),
      (p) => ({ url: `/v1/cases/${p}/registrations`, body: { channel: 'oss' } }),
      (p, n) => ({ url: `/v1/cases/${p}/revocations`, body: { reason: `R-${n}` } }),
    ];
    let next = 0;
    const client = async (c: number) => {
      for (let n = next++; n < total; n = next++) {
        const pseId = pick(cases);
        // Mostly commands that keep a case open to more (warnings, blocks); a registration ends the race on it.
        const r = random();
        const { url, body } = commands[r < 0.45 ? 0 : r < 0.8 ? 2 : r < 0.9 ? 1 : r < 0.95 ? 4 : 3](pseId, n);
        const headers: Record<string, string> = {};
        if (random() < 0.5) headers['if-match'] = `"${seen.get(pseId)}"`;
        const idempotent = random() < 0.3;
        if (idempotent) headers['idempotency-key'] = `race-${seed}-${n}`;
        if (idempotent && random() < 0.2) {
          // The same command with the same key to both API processes at once: at most one applies it.
          racedKeys++;
          const both = await Promise.all(apis.map((api) => send(api, url, body, headers)));
          const appended = both.filter((a) => a.status === 201);
          expect(appended.length).toBeLessThanOrEqual(1);
          for (const a of both) record(pseId, url, a);
          if (appended.length === 1) seen.set(pseId, appended[0].body.version as number);
          continue;
        }
        const api = apis[(c + n) % 2];
        const answer = await send(api, url, body, headers);
        record(pseId, url, answer);
        if (answer.status === 201) {
          seen.set(pseId, answer.body.version as number);
          if (idempotent && random() < 0.5) {
            // A client that lost the reply retries through the other process: the first outcome answers.
            const retry = await send(apis[(c + n + 1) % 2], url, body, headers);
            replays++;
            expect({ status: retry.status, version: retry.body.version }).toEqual({
              status: 200,
              version: answer.body.version,
            });
          }
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));

    expect(unexplained.slice(0, 5)).toEqual([]);
    const events = await withClient(database.url, loggedEvents);
    const invariants = logInvariants(events);
    expect(invariants).toMatchObject({ streamsWithGaps: [], duplicateEventIds: [], appendsAppliedTwice: [] });
    // No lost update: every 201's events are in its stream, in order, ending at the version it answered;
    // and nothing else is in the log.
    const byStream = new Map<string, string[]>();
    for (const e of events) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.eventId]);
    const misplaced = applied.filter((a) => {
      const stream = byStream.get(`pse-${a.pseId}`) ?? [];
      const at = stream.slice(a.version - a.eventIds.length, a.version);
      return a.eventIds.length === 0 || JSON.stringify(at) !== JSON.stringify(a.eventIds);
    });
    expect(misplaced.slice(0, 5)).toEqual([]);
    const answered = new Set(applied.flatMap((a) => a.eventIds));
    expect(events.filter((e) => !answered.has(e.eventId)).map((e) => `${e.streamId}#${e.revision}`)).toEqual(
      [],
    );
    expect(answered.size).toBe(events.length);

    const refused = [...refusals.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(
      `racing commands: refusals by reason\n${[...refusals]
        .sort((a, b) => b[1] - a[1])
        .map(([r, n]) => `  ${String(n).padStart(6)}  ${r}`)
        .join('\n')}\n`,
    );
    recordFigures('racing-commands', {
      seed,
      'commands raced': total,
      cases: caseCount,
      clients,
      'applied (201)': applied.length - caseCount,
      'idempotent replays (200)': replays,
      'same key to both APIs at once': racedKeys,
      'refusals explained': refused,
      'refusal reasons': refusals.size,
      'events checked': events.length,
    });
  });
});
