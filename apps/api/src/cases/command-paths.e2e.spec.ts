import {
  decideOnHistory,
  getPolicy,
  type PolicyId,
  type PseCaseCommand,
  type PseCaseEventEnvelope,
} from '@sanksi/domain';
import fc from 'fast-check';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

// A sample of the model-based paths through HTTP: random command sequences (each at its own business
// time, many of them after a deadline fell due) are sent to the API and decided purely by the domain;
// both must accept and refuse the same commands and record the same business-time history.

const NOW = '2026-12-02T00:00:00.000Z';
const auth = { authorization: `Bearer ${TEST_KEYS.operator}` };
// The commands' answers are compared event for event with `decide`: they ask for the events whole.
const commandHeaders = { ...auth, prefer: 'return=representation' };
const HOUR = 3_600_000;

type Step = { kind: Kind; hoursLater: number; manual: boolean };
type Kind =
  | 'warn'
  | 'fine'
  | 'pay'
  | 'block'
  | 'restoreTemporarily'
  | 'restore'
  | 'submit'
  | 'confirm'
  | 'reject'
  | 'requestNormalisation'
  | 'exempt';
const KINDS: Kind[] = [
  'warn',
  'fine',
  'pay',
  'block',
  'restoreTemporarily',
  'restore',
  'submit',
  'confirm',
  'reject',
  'requestNormalisation',
  'exempt',
];

/** The HTTP route and body of a step, and the command the API builds from them. */
function route(
  pseId: string,
  step: Step,
  occurredAt: string,
): { url: string; body: object; command: PseCaseCommand } {
  const until = new Date(Date.parse(occurredAt) + 72 * HOUR).toISOString();
  const base = `/v1/cases/${pseId}`;
  switch (step.kind) {
    case 'warn':
      return {
        url: `${base}/warnings`,
        body: { letterNumber: 'W' },
        command: { type: 'IssueWarning', pseId, letterNumber: 'W' },
      };
    case 'fine':
      return {
        url: `${base}/fines`,
        body: { decisionNumber: 'D', amountIdr: 1_000_000_000 },
        command: { type: 'ImposeFine', pseId, decisionNumber: 'D', amountIdr: 1_000_000_000 },
      };
    case 'pay':
      return {
        url: `${base}/fines/F1/payments`,
        body: { amountIdr: 400_000_000, reference: 'P' },
        command: { type: 'RecordFinePayment', pseId, fineId: 'F1', amountIdr: 400_000_000, reference: 'P' },
      };
    case 'block':
      return {
        url: `${base}/blocks`,
        body: { orderNumber: 'B' },
        command: { type: 'BlockAccess', pseId, orderNumber: 'B' },
      };
    case 'restoreTemporarily':
      return {
        url: `${base}/temporary-restorations`,
        body: { until, reason: 'r' },
        command: { type: 'RestoreAccessTemporarily', pseId, until, reason: 'r' },
      };
    case 'restore':
      return {
        url: `${base}/restorations`,
        body: { reason: 'r' },
        command: { type: 'RestoreAccess', pseId, reason: 'r' },
      };
    case 'submit': {
      const channel = step.manual ? 'manual' : 'oss';
      return {
        url: `${base}/registrations`,
        body: { channel },
        command: { type: 'SubmitRegistration', pseId, channel },
      };
    }
    case 'confirm':
      return {
        url: `${base}/registrations/confirmation`,
        body: { registrationNumber: '000001.01/DJAI.PSE/08/2022' },
        command: { type: 'ConfirmRegistration', pseId, registrationNumber: '000001.01/DJAI.PSE/08/2022' },
      };
    case 'reject':
      return {
        url: `${base}/registrations/rejection`,
        body: { reason: 'r' },
        command: { type: 'RejectRegistration', pseId, reason: 'r' },
      };
    case 'requestNormalisation':
      return {
        url: `${base}/normalisation-requests`,
        body: { reason: 'r' },
        command: { type: 'RequestNormalisation', pseId, reason: 'r' },
      };
    case 'exempt':
      return {
        url: `${base}/exemptions`,
        body: { reason: 'r' },
        command: { type: 'GrantExemption', pseId, reason: 'r' },
      };
  }
}

const wibIso = (ms: number) => new Date(ms + 7 * HOUR).toISOString().replace('.000Z', '+07:00');
const row = (e: Pick<PseCaseEventEnvelope, 'type' | 'occurredAt' | 'state' | 'data'>) => [
  e.type,
  JSON.stringify(e.data),
  Date.parse(e.occurredAt),
  e.state.substate ? `${e.state.state}.${e.state.substate}` : e.state.state,
  e.state.onBlocklist,
];

describe('model-based paths through HTTP: the API decides as the domain does', () => {
  let h: ApiHarness;
  let seq = 0;
  beforeAll(async () => {
    h = await startApiHarness({}, { now: NOW });
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(['kominfo-2022', 'pp43-2023'] as PolicyId[])(
    'under %s, random command sequences get the same outcomes and history over HTTP as from decide',
    async (policy) => {
      let refused = 0;
      let accepted = 0;
      const acceptedKinds = new Set<Kind>();
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              kind: fc.constantFrom(...KINDS),
              // up to ten days apart: deadlines (5 working days, 48 hours, 72-hour windows) fall due between steps
              hoursLater: fc.integer({ min: 1, max: 240 }),
              manual: fc.boolean(),
            }),
            { minLength: 3, maxLength: 9 },
          ),
          async (drawn) => {
            // every path opens with a warning, so later steps meet its deadline and what follows it
            const steps: Step[] = [{ kind: 'warn', hoursLater: 1, manual: false }, ...drawn];
            seq += 1;
            const pseId = `path-${policy}-${seq}`;
            let at = Date.parse('2022-07-21T09:00:00+07:00');
            const open = {
              pseId,
              name: pseId,
              origin: 'foreign',
              domains: [`${pseId}.example`],
              policy,
              occurredAt: wibIso(at),
            };
            const opened = await h.app.inject({
              method: 'POST',
              url: '/v1/cases',
              payload: open,
              headers: commandHeaders,
            });
            expect(opened.statusCode).toBe(201);
            let pure: PseCaseEventEnvelope[] = opened.json().events;
            for (const step of steps) {
              at += step.hoursLater * HOUR;
              const occurredAt = wibIso(at);
              const { url, body, command } = route(pseId, step, occurredAt);
              const response = await h.app.inject({
                method: 'POST',
                url,
                payload: { ...body, occurredAt },
                headers: commandHeaders,
              });
              const decision = decideOnHistory(command, pure, getPolicy(policy), {
                commandId: `pure-${seq}-${pure.length}`,
                correlationId: 'pure',
                actor: { id: 'operator', role: 'operator' },
                now: NOW,
                occurredAt,
              });
              if (decision.ok) {
                accepted += 1;
                acceptedKinds.add(step.kind);
                expect(response.statusCode).toBe(201);
                expect(response.json().events.map(row)).toEqual(decision.events.map(row));
                pure = [...pure, ...decision.events];
              } else {
                refused += 1;
                expect(response.statusCode).toBe(decision.error.code === 'VALIDATION_FAILED' ? 400 : 409);
                if ('reason' in decision.error) expect(response.json().reason).toBe(decision.error.reason);
              }
            }
            const recorded: PseCaseEventEnvelope[] = (
              await h.app.inject({ method: 'GET', url: `/v1/cases/${pseId}/events`, headers: auth })
            ).json().events;
            expect(recorded.map(row)).toEqual(pure.map(row));
          },
        ),
        { numRuns: 40, seed: policy === 'pp43-2023' ? 43 : 2022 },
      );
      // the sample exercises both sides of the machine
      expect(accepted).toBeGreaterThan(30);
      expect(refused).toBeGreaterThan(10);
      const common: Kind[] = ['warn', 'submit', 'confirm', 'reject', 'exempt'];
      expect([...acceptedKinds]).toEqual(
        expect.arrayContaining(
          policy === 'pp43-2023'
            ? [...common, 'fine', 'pay']
            : [...common, 'restoreTemporarily', 'restore', 'requestNormalisation'],
        ),
      );
    },
    120_000,
  );
});
