import fc from 'fast-check';
import { CommandBodies } from '@sanksi/contracts';
import { z } from 'zod';
import { fuzzVerdict, type JsonSchema, operationsOf, requestArbitrary, validValue } from './openapi-fuzz';
import type { WireResponse } from './wire-client';

const problemJson = (status: number, body: Record<string, unknown>): WireResponse => ({
  status,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify(body),
});

describe('the HTTP fuzzer’s verdict on an answer', () => {
  const good = problemJson(400, { title: 'Invalid request', detail: 'invalid: body.reason', status: 400 });

  it('given a problem+json 4xx that changed nothing, or a POST 201 that appended, then it passes', () => {
    expect(fuzzVerdict(good, 7, 7, 'POST')).toBeNull();
    expect(fuzzVerdict({ status: 201, headers: {}, body: '{}' }, 7, 9, 'POST')).toBeNull();
    expect(fuzzVerdict({ status: 200, headers: {}, body: '{}' }, 7, 7, 'GET')).toBeNull();
  });

  it('given a 5xx, a 4xx in another shape, or a change of state where none may happen, then it names the fault', () => {
    expect(fuzzVerdict(problemJson(500, { title: 'x', detail: 'y', status: 500 }), 1, 1, 'GET')).toBe(
      'answered 500',
    );
    expect(fuzzVerdict({ ...good, headers: { 'content-type': 'application/json' } }, 1, 1, 'GET')).toBe(
      'a 400 that is not application/problem+json (application/json)',
    );
    expect(fuzzVerdict({ ...good, body: 'oops' }, 1, 1, 'GET')).toBe('a 400 whose body is not JSON');
    expect(fuzzVerdict(problemJson(404, { detail: 'd', status: 404 }), 1, 1, 'GET')).toBe(
      'a 404 without a title',
    );
    expect(fuzzVerdict(problemJson(404, { title: 't', detail: '', status: 404 }), 1, 1, 'GET')).toBe(
      'a 404 without a detail',
    );
    expect(fuzzVerdict(problemJson(409, { title: 't', detail: 'd', status: 400 }), 1, 1, 'POST')).toBe(
      'a 409 whose problem says status 400',
    );
    expect(fuzzVerdict(good, 3, 4, 'POST')).toBe('a 400 that moved the log head from 3 to 4');
    expect(fuzzVerdict({ status: 200, headers: {}, body: '{}' }, 3, 4, 'GET')).toBe(
      'a GET (200) that moved the log head from 3 to 4',
    );
  });
});

describe('the fuzzer’s requests', () => {
  it('given each command body schema, then the values generated as valid pass the same zod schema', () => {
    const schemas = Object.entries(CommandBodies as Record<string, unknown>).flatMap(([name, schema]) =>
      schema instanceof z.ZodType ? [[name, schema] as const] : [],
    );
    expect(schemas.length).toBeGreaterThan(8);
    for (const [name, schema] of schemas) {
      const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as JsonSchema;
      for (const value of fc.sample(validValue(json), { seed: 7, numRuns: 100 })) {
        const parsed = schema.safeParse(value);
        expect({ name, value, issues: parsed.success ? [] : parsed.error.issues }).toEqual({
          name,
          value,
          issues: [],
        });
      }
    }
  });

  it('given a document, then every operation is aimed at, path parameters are filled and the sample is the same for a seed', () => {
    const ops = operationsOf({
      paths: {
        '/v1/cases/{pseId}/fines/{fineId}/payments': {
          post: {
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { amountIdr: { type: 'integer' } },
                    required: ['amountIdr'],
                  },
                },
              },
            },
          },
        },
        '/v1/events': { get: { parameters: [{ name: 'after', in: 'query' }] } },
      },
    });
    expect(ops.map((o) => [o.method, o.path, o.pathParams, o.query.map((q) => q.name)])).toEqual([
      ['POST', '/v1/cases/{pseId}/fines/{fineId}/payments', ['pseId', 'fineId'], []],
      ['GET', '/v1/events', [], ['after']],
    ]);
    const arbitrary = requestArbitrary(ops, {
      pseIds: ['case-1'],
      fineIds: ['fine-1'],
      bodyLimit: 4096,
      authorizations: { admin: 'Bearer a', 'no key': undefined },
    });
    const sample = fc.sample(arbitrary, { seed: 3, numRuns: 300 });
    expect(new Set(sample.map((r) => r.operation))).toEqual(
      new Set(['POST /v1/cases/{pseId}/fines/{fineId}/payments', 'GET /v1/events']),
    );
    expect(
      sample.some((r) => r.shape === 'well-formed' && r.target === '/v1/cases/case-1/fines/fine-1/payments'),
    ).toBe(true);
    expect(sample.filter((r) => /\{(pseId|fineId)\}/.test(r.target))).toEqual([]);
    expect(new Set(sample.map((r) => r.shape.split(',')[0]))).toEqual(
      new Set([
        'well-formed',
        'valid body',
        'one field hostile',
        'fields missing',
        'extra field',
        'not an object',
        'malformed JSON',
        'body near or over the limit',
        'no body',
        'no body needed',
      ]),
    );
    expect(fc.sample(arbitrary, { seed: 3, numRuns: 300 })).toEqual(sample);
  });
});
