import { recordReliabilityFigures } from '@sanksi/testing';
import fc from 'fast-check';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';
import {
  fuzzVerdict,
  type FuzzRequest,
  type OpenApiDocument,
  operationsOf,
  requestArbitrary,
} from '../testing/openapi-fuzz';
import { closeWireClient, send, type WireResponse } from '../testing/wire-client';

// Property-based HTTP fuzzing of every operation of the OpenAPI document the API serves (issue 11):
// no 5xx ever, every 4xx a problem+json document, and nothing appended to the log by a 4xx (or by
// any GET). `npm test` runs the quick profile; `npm run test:reliability` (SANKSI_RELIABILITY_FULL=1)
// runs 10,000+. SANKSI_FUZZ_REQUESTS and SANKSI_FUZZ_SEED override both; a failure prints the
// request and how to replay the same sequence.
const FULL = process.env.SANKSI_RELIABILITY_FULL === '1';
const REQUESTS = Number(process.env.SANKSI_FUZZ_REQUESTS ?? (FULL ? 12_000 : 1_000));
const SEED = Number(process.env.SANKSI_FUZZ_SEED ?? 20_220_720);
const BODY_LIMIT = 65_536;

interface Finding {
  index: number;
  problem: string;
  request: FuzzRequest;
  response?: WireResponse;
}

const preview = (text: string, max = 300) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

const describeRequest = (r: FuzzRequest) => ({
  operation: r.operation,
  shape: r.shape,
  method: r.method,
  target: preview(r.raw ? Buffer.from(r.target, 'latin1').toString('utf8') : r.target, 500),
  raw: r.raw === true,
  headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, preview(v, 200)])),
  body: r.body === undefined ? undefined : preview(r.body.toString('utf8'), 500),
});

describe('HTTP fuzzing of every OpenAPI operation', () => {
  let h: ApiHarness;
  let port: number;
  const pseIds: string[] = [];
  const fineIds: string[] = [];

  const operatorPost = async (target: string, body: unknown) => {
    const res = await send(port, {
      method: 'POST',
      target,
      headers: { authorization: `Bearer ${TEST_KEYS.operator}`, 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
    });
    expect({ target, status: res.status, body: res.status < 300 ? '' : res.body }).toEqual({
      target,
      status: 201,
      body: '',
    });
    return JSON.parse(res.body) as { pseId: string; fineId?: string | null };
  };

  beforeAll(async () => {
    h = await startApiHarness({ SANKSI_MAX_BODY_BYTES: String(BODY_LIMIT) }, { now: '2022-09-01T02:00:00Z' });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.getHttpServer().address() as { port: number }).port;
    // Given cases in several states under each policy, so valid requests reach the deciding code.
    const open = async (pseId: string, policy: string) => {
      await operatorPost('/v1/cases', {
        pseId,
        name: `Fuzz ${pseId}`,
        origin: 'foreign',
        domains: [`${pseId}.example.com`],
        policy,
        occurredAt: '2022-07-21T09:00:00+07:00',
      });
      pseIds.push(pseId);
    };
    for (const policy of ['mr5-literal', 'kominfo-2022', 'pp43-2023']) {
      await open(`fuzz-${policy}-new`, policy);
      await open(`fuzz-${policy}-warned`, policy);
      await operatorPost(`/v1/cases/fuzz-${policy}-warned/warnings`, {
        letterNumber: 'B-1/2022',
        occurredAt: '2022-07-22T09:00:00+07:00',
      });
    }
    const fined = await operatorPost('/v1/cases/fuzz-pp43-2023-warned/fines', {
      decisionNumber: 'D-1/2022',
      amountIdr: 1_000_000,
      occurredAt: '2022-08-15T09:00:00+07:00',
    });
    if (fined.fineId) fineIds.push(fined.fineId);
    await open('fuzz-registered', 'kominfo-2022');
    await operatorPost('/v1/cases/fuzz-registered/registrations', {
      channel: 'oss',
      occurredAt: '2022-07-23T09:00:00+07:00',
    });
    await operatorPost('/v1/cases/fuzz-registered/registrations/confirmation', {
      registrationNumber: '000123.01/DJAI.PSE/07/2022',
      occurredAt: '2022-07-24T09:00:00+07:00',
    });
    pseIds.push('fuzz-no-such-case');
    fineIds.push('fine-no-such-fine');
    await h.project();
  }, 120_000);

  afterAll(async () => {
    closeWireClient();
    await h?.close();
  });

  it(
    `given ${REQUESTS} generated requests (seed ${SEED}), then no 5xx, every 4xx is problem+json and changes nothing, no GET changes anything`,
    async () => {
      const doc = (await send(port, { method: 'GET', target: '/docs/openapi.json', headers: {} })).body;
      const ops = operationsOf(JSON.parse(doc) as OpenApiDocument);
      expect(ops.length).toBeGreaterThan(40);
      const arbitrary = requestArbitrary(ops, {
        pseIds,
        fineIds,
        bodyLimit: BODY_LIMIT,
        authorizations: {
          ...Object.fromEntries(Object.entries(TEST_KEYS).map(([role, key]) => [role, `Bearer ${key}`])),
          'no key': undefined,
          'unknown key': 'Bearer sk_unknown_key_of_no_one',
          'not bearer': 'Basic dTpw',
          'bearer without key': 'Bearer ',
        },
      });
      const requests = fc.sample(arbitrary, { seed: SEED, numRuns: REQUESTS });

      const statuses = new Map<number, number>();
      const perOperation = new Map<string, Map<number, number>>();
      const findings: Finding[] = [];
      const distinct = new Set<string>();
      const started = Date.now();
      for (const [index, request] of requests.entries()) {
        if (index > 0 && index % 250 === 0) await h.project();
        const before = await h.runtime.eventStore.headPosition();
        let response: WireResponse;
        try {
          response = await send(port, request);
        } catch (e) {
          findings.push({ index, problem: `no answer: ${(e as Error).message}`, request });
          continue;
        }
        const after = await h.runtime.eventStore.headPosition();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const counts = perOperation.get(request.operation) ?? new Map<number, number>();
        counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
        perOperation.set(request.operation, counts);
        const problem = fuzzVerdict(response, before, after, request.method);
        if (problem) {
          const key = `${request.operation} ${request.shape} ${problem.replace(/\d+/g, 'N')}`;
          if (!distinct.has(key) && findings.length < 30)
            findings.push({ index, problem, request, response });
          distinct.add(key);
        }
      }

      const sorted = (m: Map<number, number>) =>
        [...m.entries()]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ');
      console.log(
        [
          `HTTP fuzz: ${requests.length} requests over ${ops.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}`,
          `statuses: ${sorted(statuses)}`,
          ...[...perOperation.entries()].sort().map(([op, m]) => `  ${op}: ${sorted(m)}`),
        ].join('\n'),
      );
      const count = (pick: (status: number) => boolean) =>
        [...statuses.entries()].filter(([s]) => pick(s)).reduce((n, [, c]) => n + c, 0);
      recordReliabilityFigures('http-fuzz', {
        requests: requests.length,
        operations: ops.length,
        seed: SEED,
        '2xx': count((s) => s < 300),
        '4xx': count((s) => s >= 400 && s < 500),
        '5xx': count((s) => s >= 500),
        'answers that broke a property': distinct.size === 0 ? 0 : `${distinct.size} distinct`,
        statuses: sorted(statuses),
        seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
      });
      if (findings.length > 0) {
        console.log(
          `${distinct.size} distinct failure(s); replay the same sequence with SANKSI_FUZZ_SEED=${SEED} ` +
            `SANKSI_FUZZ_REQUESTS=<index + 1>:\n` +
            findings
              .map((f) =>
                JSON.stringify(
                  {
                    index: f.index,
                    problem: f.problem,
                    request: describeRequest(f.request),
                    response: f.response && { status: f.response.status, body: preview(f.response.body) },
                  },
                  null,
                  2,
                ),
              )
              .join('\n'),
        );
      }
      expect(
        findings.map((f) => `#${f.index} ${f.request.operation} (${f.request.shape}): ${f.problem}`),
      ).toEqual([]);
      // Every operation of the document was aimed at.
      expect([...perOperation.keys()].sort()).toEqual(ops.map((o) => `${o.method} ${o.path}`).sort());
    },
    60_000 + REQUESTS * 100,
  );
});
