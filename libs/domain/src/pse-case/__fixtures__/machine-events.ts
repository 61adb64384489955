import type { PseCaseContext } from '../pse-case.context';
import type { PolicyId, PseCaseEventData, PseCaseEventEnvelope } from '../pse-case.events';
import { stateOf, type PseCaseSnapshot } from '../pse-case.fold';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/** Wraps event data into an envelope at a business time (the machine reads no hash or ids). */
export function envelope(
  data: PseCaseEventData,
  context: PseCaseContext,
  occurredAt: string,
): PseCaseEventEnvelope {
  return {
    ...data,
    eventId: `e-${context.revision + 1}`,
    pseId: context.pseId || 'model',
    schemaVersion: 1,
    occurredAt,
    recordedAt: occurredAt,
    actor: { id: 'model', role: 'operator' },
    commandId: `c-${context.revision + 1}`,
    correlationId: 'model',
    causationId: null,
    policyVersion: context.policyVersion,
    revision: context.revision + 1,
    state: null as unknown as PseCaseEventEnvelope['state'],
    prevHash: context.lastHash,
    hash: `h-${context.revision + 1}`,
  } as PseCaseEventEnvelope;
}

const policies: PolicyId[] = ['mr5-literal', 'kominfo-2022', 'pp43-2023'];

/**
 * Every event the model offers the machine in a snapshot: one of each type with plausible data, the
 * elapse of every running deadline, and each restoration cause. Guards decide which are taken.
 */
export function modelEvents(snapshot: PseCaseSnapshot, only?: PolicyId): PseCaseEventEnvelope[] {
  const c = snapshot.context;
  const now = c.lastOccurredAt ? Date.parse(c.lastOccurredAt) + DAY : Date.parse('2022-07-25T02:00:00Z');
  const at = iso(now);
  const later = iso(now + 5 * DAY);
  if (stateOf(snapshot).state === 'absent') {
    return (only ? [only] : policies).map((policy) =>
      envelope(
        {
          type: 'PseIdentified',
          data: {
            name: 'Model',
            origin: 'foreign',
            domains: ['model.example'],
            company: null,
            sector: null,
            policy,
          },
        },
        c,
        at,
      ),
    );
  }
  const fines = Object.values(c.fines).filter((f) => !f.annulled && f.amountIdr > f.paidIdr);
  const data: PseCaseEventData[] = [
    { type: 'PseProfileUpdated', data: { name: 'Model Renamed' } },
    { type: 'RegistrationSubmitted', data: { channel: 'manual', followUpDeadline: later } },
    { type: 'RegistrationConfirmed', data: { registrationNumber: '000001.01/DJAI.PSE/07/2022' } },
    { type: 'RegistrationRejected', data: { reason: 'incomplete' } },
    { type: 'WarningIssued', data: { letterNumber: 'W', responseDeadline: later } },
    {
      type: 'FineImposed',
      data: {
        fineId: `F${c.fineCount + 1}`,
        decisionNumber: 'D',
        amountIdr: 1_000_000,
        paymentDeadline: later,
      },
    },
    ...fines.flatMap((f): PseCaseEventData[] => [
      { type: 'FinePaid', data: { fineId: f.fineId, amountIdr: f.amountIdr - f.paidIdr, reference: 'P' } },
      { type: 'FineAnnulled', data: { fineId: f.fineId, reason: 'appeal' } },
    ]),
    { type: 'AccessBlocked', data: { orderNumber: 'B', domains: c.domains } },
    { type: 'AccessTemporarilyRestored', data: { until: later, reason: 'withdrawals' } },
    ...(['operator', 'submission', 'registration', 'exemption'] as const).map(
      (cause): PseCaseEventData => ({ type: 'AccessRestored', data: { reason: 'r', cause } }),
    ),
    { type: 'NormalisationRequested', data: { reason: 'registered abroad', answerDeadline: later } },
    { type: 'NormalisationRefused', data: { reason: 'not yet registered' } },
    { type: 'RegistrationSuspended', data: { by: 'PAI', reason: 'false info', responseDeadline: later } },
    { type: 'SuspensionLifted', data: { reason: 'clarified' } },
    { type: 'RegistrationRevoked', data: { reason: 'no response' } },
    { type: 'ExemptionGranted', data: { reason: 'not obliged' } },
    ...c.deadlines.map(
      (d): PseCaseEventData => ({
        type: 'DeadlineElapsed',
        data: { deadline: d.kind, dueAt: d.dueAt, fineId: d.fineId },
      }),
    ),
    ...(only
      ? []
      : policies
          .filter((p) => p !== c.policyVersion)
          .map(
            (to): PseCaseEventData => ({
              type: 'PolicyMigrated',
              data: { from: c.policyVersion, to, reason: 'm' },
            }),
          )),
  ];
  return data.map((d) => envelope(d, c, at));
}

/** The bounded part of a snapshot that decides what the machine can do next (for graph traversal). */
export function modelKey(snapshot: PseCaseSnapshot): string {
  const c = snapshot.context;
  return JSON.stringify([
    snapshot.value,
    c.policyVersion,
    c.highestSanction,
    c.escalation.pending,
    c.pendingSubmission !== null,
    c.restoredOnSubmission,
    c.blocks > 0,
    c.registrationNumber !== null,
    [...new Set(c.deadlines.map((d) => d.kind))].sort(),
    Object.values(c.fines).some((f) => !f.annulled && f.amountIdr > f.paidIdr),
  ]);
}
