import type { CommandOutcome } from '@sanksi/application';
import { CommandBodies as B } from '@sanksi/contracts';
import type { PseCaseCommand } from '@sanksi/domain';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Role } from '../auth/api-keys';
import { COMMAND_ROLES } from '../auth/roles';
import type { SchemaRef } from '../openapi/openapi-components';
import { CommandAnswerRef, FineAnswerRef } from '../openapi/case-schemas';
import { newPseId } from './command-runner';

/** The path parameters a command route may have, validated before `build` sees them. */
export interface CommandPathParams {
  pseId: string;
  fineId: string;
}

/** One command route: its URL, body, who may send it, the domain command it builds and what it answers. */
export interface CaseCommandRoute<Body extends z.ZodType = z.ZodType> {
  /** The OpenAPI operationId, also the handler's name (what a generated client calls). */
  operationId: string;
  /** Under `/v1/cases`; `:pseId` and `:fineId` are path parameters. */
  path: string;
  summary: string;
  description?: string;
  /** The body's component name in the OpenAPI document and its schema (libs/contracts command-bodies). */
  bodyName: string;
  body: Body;
  /** A body that the route accepts, shown in the document. */
  example: z.input<Body>;
  roles: Role[];
  /** The domain command for a valid body (`occurredAt` goes to the command's context instead). */
  build(
    body: Omit<z.output<Body>, 'occurredAt'>,
    path: CommandPathParams,
    request: FastifyRequest,
  ): PseCaseCommand;
  /** The success answer's schema and any fields it adds to the command answer (from the whole outcome). */
  answer: { schema: SchemaRef; extend?(outcome: CommandOutcome): Record<string, unknown> };
}

const route = <Body extends z.ZodType>(entry: CaseCommandRoute<Body>): CaseCommandRoute =>
  entry as unknown as CaseCommandRoute;

const commandAnswer = { schema: CommandAnswerRef };
const at = '2022-07-21T09:00:00+07:00';

/**
 * Every command route of the API, one entry each (docs/regulation.md §15.2): the controller's routes and
 * their OpenAPI operations are built from this table, so a route and its documentation cannot drift.
 */
export const CASE_COMMAND_ROUTES: readonly CaseCommandRoute[] = [
  route({
    operationId: 'openCase',
    path: '',
    summary: 'Open a case for an electronic system (PseIdentified)',
    description:
      'Without `pseId` the server assigns one, derived from the Idempotency-Key when there is one so that a retry opens no second case.',
    bodyName: 'OpenCaseBody',
    body: B.OpenCaseBody,
    example: {
      pseId: 'shop',
      name: 'Example Shop',
      origin: 'foreign',
      domains: ['shop.example'],
      occurredAt: at,
    },
    roles: COMMAND_ROLES,
    build: ({ pseId, company, sector, ...rest }, _path, request) => ({
      type: 'IdentifyPse',
      ...rest,
      pseId: pseId ?? newPseId(request),
      company: company ?? null,
      sector: sector ?? null,
    }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'issueWarning',
    path: ':pseId/warnings',
    summary: 'Issue a written warning (teguran tertulis)',
    bodyName: 'IssueWarningBody',
    body: B.IssueWarningBody,
    example: { letterNumber: 'B-123/DJAI/2022', occurredAt: at },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'IssueWarning', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'imposeFine',
    path: ':pseId/fines',
    summary: 'Impose an administrative fine (denda administratif); the response names its fineId',
    bodyName: 'ImposeFineBody',
    body: B.ImposeFineBody,
    example: { decisionNumber: 'KEP-7/2022', amountIdr: 10_000_000 },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'ImposeFine', pseId, ...body }),
    answer: {
      schema: FineAnswerRef,
      extend: (outcome) => {
        const imposed = outcome.events.find((e) => e.type === 'FineImposed');
        return { fineId: imposed?.type === 'FineImposed' ? imposed.data.fineId : null };
      },
    },
  }),
  route({
    operationId: 'recordFinePayment',
    path: ':pseId/fines/:fineId/payments',
    summary: 'Record a payment of a fine',
    bodyName: 'RecordPaymentBody',
    body: B.RecordPaymentBody,
    example: { amountIdr: 10_000_000, reference: 'TRX-2022-0815' },
    roles: COMMAND_ROLES,
    build: (body, { pseId, fineId }) => ({ type: 'RecordFinePayment', pseId, fineId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'annulFine',
    path: ':pseId/fines/:fineId/annulment',
    summary: 'Annul a fine (on appeal)',
    bodyName: 'AnnulFineBody',
    body: B.AnnulFineBody,
    example: { reason: 'annulled on appeal' },
    roles: COMMAND_ROLES,
    build: (body, { pseId, fineId }) => ({ type: 'AnnulFine', pseId, fineId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'blockAccess',
    path: ':pseId/blocks',
    summary: 'Block access (pemutusan akses): the domains go on the blocklist',
    description: 'Without `domains`, the case’s own domains are blocked.',
    bodyName: 'BlockAccessBody',
    body: B.BlockAccessBody,
    example: { orderNumber: 'PA-1/2022' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'BlockAccess', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'restoreAccessTemporarily',
    path: ':pseId/temporary-restorations',
    summary: 'Restore access temporarily until a time (normalisasi sementara)',
    bodyName: 'TemporaryRestorationBody',
    body: B.TemporaryRestorationBody,
    example: { until: '2022-08-05T00:00:00+07:00', reason: 'time to move payments' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'RestoreAccessTemporarily', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'restoreAccess',
    path: ':pseId/restorations',
    summary: 'Restore access (normalisasi); refused after more than 3 blocks unless an admin overrides',
    bodyName: 'RestoreAccessBody',
    body: B.RestoreAccessBody,
    example: { reason: 'registered' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'RestoreAccess', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'requestNormalisation',
    path: ':pseId/normalisation-requests',
    summary:
      'Record a request for normalisation (MR5 Art. 20): the ministry answers within 2 × 24 hours, by restoring access or refusing',
    bodyName: 'ReasonBody',
    body: B.ReasonBody,
    example: { reason: 'registration submitted' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'RequestNormalisation', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'refuseNormalisation',
    path: ':pseId/normalisation-requests/refusal',
    summary: 'Refuse the pending normalisation request (MR5 Art. 20); the block stands',
    bodyName: 'ReasonBody',
    body: B.ReasonBody,
    example: { reason: 'registration still incomplete' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'RefuseNormalisation', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'submitRegistration',
    path: ':pseId/registrations',
    summary: 'Record a submitted registration (OSS or manual)',
    bodyName: 'SubmitRegistrationBody',
    body: B.SubmitRegistrationBody,
    example: { channel: 'oss' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'SubmitRegistration', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'confirmRegistration',
    path: ':pseId/registrations/confirmation',
    summary: 'Confirm a registration (certificate issued); a blocked case is normalised in the same append',
    bodyName: 'ConfirmRegistrationBody',
    body: B.ConfirmRegistrationBody,
    example: { registrationNumber: '000123.01/DJAI.PSE/07/2022' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'ConfirmRegistration', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'rejectRegistration',
    path: ':pseId/registrations/rejection',
    summary: 'Reject a submitted registration',
    bodyName: 'ReasonBody',
    body: B.ReasonBody,
    example: { reason: 'incomplete documents' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'RejectRegistration', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'suspendRegistration',
    path: ':pseId/suspensions',
    summary: 'Suspend a registration (by TAKEL or PAI); revoked after 7 days without response',
    bodyName: 'SuspendRegistrationBody',
    body: B.SuspendRegistrationBody,
    example: { by: 'TAKEL', reason: 'false information reported' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'SuspendRegistration', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'liftSuspension',
    path: ':pseId/suspensions/lifting',
    summary: 'Lift a suspension (the operator answered in time)',
    bodyName: 'ReasonBody',
    body: B.ReasonBody,
    example: { reason: 'information corrected' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'LiftSuspension', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'revokeRegistration',
    path: ':pseId/revocations',
    summary: 'Revoke a registration (MR5 Art. 7(3)); the system is blocked',
    bodyName: 'ReasonBody',
    body: B.ReasonBody,
    example: { reason: 'no response within 7 days' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'RevokeRegistration', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'grantExemption',
    path: ':pseId/exemptions',
    summary: 'Exempt a system not obliged to register; closes the case and lifts any block',
    bodyName: 'ReasonBody',
    body: B.ReasonBody,
    example: { reason: 'no services offered in Indonesia' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'GrantExemption', pseId, ...body }),
    answer: commandAnswer,
  }),
  route({
    operationId: 'migratePolicy',
    path: ':pseId/policy-migrations',
    summary: 'Migrate the case to another policy version',
    bodyName: 'MigratePolicyBody',
    body: B.MigratePolicyBody,
    example: { to: 'pp43-2023', reason: 'PP 43/2023 in force' },
    roles: COMMAND_ROLES,
    build: (body, { pseId }) => ({ type: 'MigratePolicy', pseId, ...body }),
    answer: commandAnswer,
  }),
];
