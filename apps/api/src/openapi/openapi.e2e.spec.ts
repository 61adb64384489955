import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { compileErrors, validate } from '@readme/openapi-parser';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

// The committed copy of the served document, for integrators who generate a client without running a server.
const COMMITTED = path.join(__dirname, '../../../../docs/openapi.json');
const REGENERATE = 'npm run openapi:write';

type Operation = {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: { content: Record<string, { schema?: unknown; examples?: unknown; example?: unknown }> };
  responses: Record<
    string,
    { content?: Record<string, { schema?: unknown; example?: unknown }>; headers?: Record<string, unknown> }
  >;
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, Record<string, unknown>> };
};

const served = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item).map(([method, op]) => ({ route: `${method.toUpperCase()} ${p}`, op })),
  );

describe('the OpenAPI document integrators generate a client from', () => {
  let h: ApiHarness;
  let text: string;
  let doc: Document;

  beforeAll(async () => {
    h = await startApiHarness();
    text = `${JSON.stringify((await h.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json(), null, 2)}\n`;
    doc = JSON.parse(text) as Document;
    if (process.env.SANKSI_WRITE_DOCS === '1') writeFileSync(COMMITTED, text);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('given the served document, then it equals docs/openapi.json', () => {
    // Compared as JSON, not as text: the committed file is Prettier-formatted like the rest of docs/.
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as unknown;
    if (!isDeepStrictEqual(committed, doc)) {
      throw new Error(
        `docs/openapi.json differs from the document the API serves: regenerate it with \`${REGENERATE}\` and commit it`,
      );
    }
  });

  it('given the served document, then a kept OpenAPI validator (@readme/openapi-parser) finds it valid', async () => {
    // validate() dereferences in place: give it a copy.
    const result = await validate(JSON.parse(text) as Parameters<typeof validate>[0]);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.valid).toBe(true);
  });

  it('given the validator, when an operation refers to a schema that does not exist, then it is invalid (the check can fail)', async () => {
    const broken = JSON.parse(text) as Document;
    delete broken.components.schemas.Problem;
    const result = await validate(broken as unknown as Parameters<typeof validate>[0]);
    expect(result.valid).toBe(false);
  });

  it('given every operation, then it has a clean unique operationId, a tag, a success answer with a schema and its problem answers', () => {
    const faults: string[] = [];
    const ids = new Set<string>();
    for (const { route, op } of served(doc)) {
      const id = op.operationId ?? '';
      if (!/^[a-z][A-Za-z]+$/.test(id)) faults.push(`${route}: operationId ${JSON.stringify(id)}`);
      if (ids.has(id)) faults.push(`${route}: operationId ${id} used twice`);
      ids.add(id);
      if (!op.tags?.length) faults.push(`${route}: no tag`);
      const success = Object.entries(op.responses).filter(([status]) => /^20[01]$/.test(status));
      if (success.length === 0) faults.push(`${route}: no 200/201 answer`);
      for (const [status, answer] of success) {
        const schemas = Object.values(answer.content ?? {}).map((c) => c.schema);
        if (schemas.length === 0 || schemas.some((s) => s === undefined))
          faults.push(`${route}: ${status} without a schema`);
      }
      // Readiness answers 503 with its own body, not a problem: probes and people read one shape.
      const problems = Object.entries(op.responses).filter(
        ([status]) => Number(status) >= 400 && !(id === 'getReadiness' && status === '503'),
      );
      for (const [status, answer] of problems) {
        if (!answer.content?.['application/problem+json']?.schema)
          faults.push(`${route}: ${status} is not a problem`);
      }
      if (op.security && !(op.responses['401'] && op.responses['403']))
        faults.push(`${route}: secured without 401/403`);
      if (op.security && !op.responses['401']?.headers?.['WWW-Authenticate'])
        faults.push(`${route}: 401 without WWW-Authenticate`);
      if (op.requestBody) {
        const json = op.requestBody.content['application/json'];
        if (!json?.schema) faults.push(`${route}: body without a schema`);
        if (!json?.examples && json?.example === undefined) faults.push(`${route}: body without an example`);
        if (!op.responses['400']) faults.push(`${route}: takes a body but documents no 400`);
      }
    }
    expect(faults).toEqual([]);
  });

  it('given the command operations, then each is named for its command, answers 201 with Location and documents 409 and 412', () => {
    const commands = served(doc).filter(({ op }) => op.tags?.includes('commands'));
    expect(commands.map(({ op }) => op.operationId).sort()).toEqual(
      [
        'annulFine',
        'blockAccess',
        'confirmRegistration',
        'grantExemption',
        'imposeFine',
        'issueWarning',
        'liftSuspension',
        'migratePolicy',
        'openCase',
        'recordFinePayment',
        'refuseNormalisation',
        'rejectRegistration',
        'requestNormalisation',
        'restoreAccess',
        'restoreAccessTemporarily',
        'revokeRegistration',
        'submitRegistration',
        'suspendRegistration',
      ].sort(),
    );
    for (const { route, op } of commands) {
      expect({ route, location: Boolean(op.responses['201']?.headers?.Location) }).toEqual({
        route,
        location: true,
      });
      expect({ route, statuses: ['409', '412'].filter((s) => op.responses[s]) }).toEqual({
        route,
        statuses: ['409', '412'],
      });
    }
  });

  it('given any operation that answers 201, then it declares the Location of what it created', () => {
    const creating = served(doc).filter(({ op }) => op.responses['201']);
    expect(creating.length).toBeGreaterThan(18);
    expect(
      creating.filter(({ op }) => !op.responses['201']?.headers?.Location).map(({ op }) => op.operationId),
    ).toEqual([]);
  });

  it('given the operations endpoints, then each success has an example, and readiness documents its 503 with the same body', () => {
    const byId = new Map(served(doc).map(({ op }) => [op.operationId, op]));
    const example = (id: string, status: string, type = 'application/json') =>
      byId.get(id)?.responses[status]?.content?.[type]?.example;
    expect(example('getLiveness', '200')).toEqual({ status: 'ok' });
    expect(example('getEvidencePublicKey', '200')).toMatchObject({ algorithm: 'Ed25519' });
    expect(example('getReadiness', '200')).toMatchObject({ status: 'ready' });
    expect(example('getMetrics', '200', 'text/plain')).toMatch(/^# HELP sanksi_/);
    const notReady = byId.get('getReadiness')?.responses['503'];
    expect(notReady?.content?.['application/json']?.schema).toEqual(
      byId.get('getReadiness')?.responses['200']?.content?.['application/json']?.schema,
    );
    expect(example('getReadiness', '503')).toMatchObject({ status: 'not-ready' });
  });

  it('given the security scheme, then it is an opaque bearer key (no JWT format) and every keyed operation uses it', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', description: expect.stringContaining('opaque') as unknown },
    });
    const keyed = served(doc).filter(({ op }) => op.security);
    expect(keyed.length).toBeGreaterThan(35);
    for (const { op } of keyed) expect(op.security).toEqual([{ bearer: [] }]);
  });

  it('given a component schema, then every $ref in the document points at one that exists (self-contained)', () => {
    const refs = [...text.matchAll(/"\$ref": "([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(50);
    const missing = refs.filter((r) => !(r.replace('#/components/schemas/', '') in doc.components.schemas));
    expect([...new Set(missing)]).toEqual([]);
  });

  it('given an operator key, then the document is served to anyone (no key needed to read it)', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/docs/openapi.json',
      headers: { authorization: `Bearer ${TEST_KEYS.operator}` },
    });
    expect(res.statusCode).toBe(200);
  });
});
