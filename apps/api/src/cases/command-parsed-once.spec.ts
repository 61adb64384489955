import fc from 'fast-check';
import { canonicalJson, PseCaseCommand } from '@sanksi/domain';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type JsonSchema, validValue } from '../testing/openapi-fuzz';
import { CASE_COMMAND_ROUTES, type CaseCommandRoute } from './case-command-table';

// The HTTP edge validates a command once: its body schema, then `executeParsed` (no second parse in
// CaseCommandService). That is sound only if every command a route builds from a valid body is one the
// domain's own schema accepts unchanged — same value, same idempotency digest. This proves it per route.

const request = (idempotencyKey?: string) =>
  ({ headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} }) as unknown as FastifyRequest;

/** The route's command for a raw body, as the controller builds it; undefined when the edge refuses it. */
function commandOf(route: CaseCommandRoute, body: unknown, key?: string) {
  const parsed = route.body.safeParse(body);
  if (!parsed.success) return undefined;
  const { occurredAt: _occurredAt, ...rest } = parsed.data as { occurredAt?: string };
  return route.build(rest, { pseId: 'shop-1', fineId: 'F1' }, request(key));
}

/** Bodies that exercise the edge's transforms (trimming, host names to A-labels, defaults). */
const HAND_WRITTEN: Record<string, unknown[]> = {
  openCase: [
    { name: '  Toko  ', origin: 'domestic', domains: [' Toko.EXAMPLE.co.id ', 'bücher.example'] },
    { name: 'App only', origin: 'foreign', domains: [], appIds: ['com.example.app', 'id1489226483'] },
    { name: 'By IP', origin: 'foreign', domains: [], ipAddresses: ['13.227.254.72'], company: 'PT X' },
    { pseId: 'given', name: 'N', origin: 'foreign', domains: ['a.example'], policy: 'kominfo-2022' },
  ],
  blockAccess: [{ orderNumber: ' B-1 ', domains: ['Straße.example'] }, { orderNumber: 'B-2' }],
};

describe('a command validated once at the HTTP edge', () => {
  it.each(CASE_COMMAND_ROUTES.map((r) => [r.operationId, r] as const))(
    'given valid %s bodies, when the route builds its command, then PseCaseCommand parses it to the same value and digest',
    (_name, route) => {
      const json = z.toJSONSchema(route.body, { target: 'openapi-3.0', io: 'input' }) as JsonSchema;
      const bodies = [
        route.example,
        ...(HAND_WRITTEN[route.operationId] ?? []),
        ...fc.sample(validValue(json), { seed: 11, numRuns: 150 }),
      ];
      let checked = 0;
      for (const [i, body] of bodies.entries()) {
        const command = commandOf(route, body, i % 2 === 0 ? `key-${i}` : undefined);
        // The generator is best effort (cross-field rules escape it): only bodies the edge accepts count.
        if (command === undefined) continue;
        checked++;
        const reparsed = PseCaseCommand.safeParse(command);
        expect({ body, issues: reparsed.success ? [] : reparsed.error.issues }).toEqual({ body, issues: [] });
        expect(reparsed.data).toEqual(command);
        expect(canonicalJson(reparsed.data)).toBe(canonicalJson(command));
      }
      expect(checked).toBeGreaterThanOrEqual(10);
    },
  );

  it('given a body the edge refuses, then no command is built', () => {
    const open = CASE_COMMAND_ROUTES.find((r) => r.operationId === 'openCase') as CaseCommandRoute;
    expect(commandOf(open, { name: 'x', origin: 'foreign', domains: ['not a host'] })).toBeUndefined();
    expect(commandOf(open, { name: 'x', origin: 'foreign', domains: [] })).toBeUndefined();
  });
});
