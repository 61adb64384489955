import { CommandBodies as B } from '@sanksi/contracts';
import type { PseCaseCommand } from '@sanksi/domain';
import type { z } from 'zod';

/** One operator command of `sanksi case`: the API operation it is, and the domain command it builds. */
export interface CaseCliCommand {
  /** The sub-command: `sanksi case <name>`. */
  name: string;
  summary: string;
  /** The domain command's type (in-process mode). */
  type: PseCaseCommand['type'];
  /** The API operation (`--api` mode): the same operationId as apps/api's command table. */
  operationId: string;
  /** The request body (libs/contracts): each of its fields is an option, `occurredAt` as --occurred-at. */
  body: z.ZodObject;
  /** Whether the command opens a case (no `<pseId>` argument: `--pse-id`, or derived). */
  opensCase?: boolean;
  /** Takes the fine as a second argument (`<pseId> <fineId>`). */
  fine?: boolean;
}

/**
 * The operator commands of the CLI (docs/regulation.md §15.3), one entry each; options, parsing and both
 * modes (in-process and `--api`) follow from the body schemas of libs/contracts, the HTTP API's own.
 */
export const CASE_CLI_COMMANDS: readonly CaseCliCommand[] = [
  {
    name: 'open',
    summary: 'Open a case for an electronic system',
    type: 'IdentifyPse',
    operationId: 'openCase',
    body: B.OpenCaseBody,
    opensCase: true,
  },
  {
    name: 'warn',
    summary: 'Issue a written warning (teguran tertulis)',
    type: 'IssueWarning',
    operationId: 'issueWarning',
    body: B.IssueWarningBody,
  },
  {
    name: 'fine',
    summary: 'Impose an administrative fine (its id is assigned: F1, F2, …)',
    type: 'ImposeFine',
    operationId: 'imposeFine',
    body: B.ImposeFineBody,
  },
  {
    name: 'pay',
    summary: 'Record a payment of a fine',
    type: 'RecordFinePayment',
    operationId: 'recordFinePayment',
    body: B.RecordPaymentBody,
    fine: true,
  },
  {
    name: 'annul',
    summary: 'Annul a fine (on appeal)',
    type: 'AnnulFine',
    operationId: 'annulFine',
    body: B.AnnulFineBody,
    fine: true,
  },
  {
    name: 'block',
    summary: 'Block access (pemutusan akses); without --domains the case’s own',
    type: 'BlockAccess',
    operationId: 'blockAccess',
    body: B.BlockAccessBody,
  },
  {
    name: 'temporary-restore',
    summary: 'Restore access until a time (normalisasi sementara)',
    type: 'RestoreAccessTemporarily',
    operationId: 'restoreAccessTemporarily',
    body: B.TemporaryRestorationBody,
  },
  {
    name: 'restore',
    summary: 'Restore access (normalisasi)',
    type: 'RestoreAccess',
    operationId: 'restoreAccess',
    body: B.RestoreAccessBody,
  },
  {
    name: 'request-normalisation',
    summary: 'Record a request for normalisation (MR5 Art. 20)',
    type: 'RequestNormalisation',
    operationId: 'requestNormalisation',
    body: B.ReasonBody,
  },
  {
    name: 'refuse-normalisation',
    summary: 'Refuse the pending normalisation request',
    type: 'RefuseNormalisation',
    operationId: 'refuseNormalisation',
    body: B.ReasonBody,
  },
  {
    name: 'register',
    summary: 'Record a submitted registration (OSS or manual)',
    type: 'SubmitRegistration',
    operationId: 'submitRegistration',
    body: B.SubmitRegistrationBody,
  },
  {
    name: 'confirm',
    summary: 'Confirm a registration (certificate issued)',
    type: 'ConfirmRegistration',
    operationId: 'confirmRegistration',
    body: B.ConfirmRegistrationBody,
  },
  {
    name: 'reject',
    summary: 'Reject a submitted registration',
    type: 'RejectRegistration',
    operationId: 'rejectRegistration',
    body: B.ReasonBody,
  },
  {
    name: 'suspend',
    summary: 'Suspend a registration (TAKEL or PAI)',
    type: 'SuspendRegistration',
    operationId: 'suspendRegistration',
    body: B.SuspendRegistrationBody,
  },
  {
    name: 'lift-suspension',
    summary: 'Lift a suspension',
    type: 'LiftSuspension',
    operationId: 'liftSuspension',
    body: B.ReasonBody,
  },
  {
    name: 'revoke',
    summary: 'Revoke a registration (MR5 Art. 7(3))',
    type: 'RevokeRegistration',
    operationId: 'revokeRegistration',
    body: B.ReasonBody,
  },
  {
    name: 'exempt',
    summary: 'Exempt a system not obliged to register',
    type: 'GrantExemption',
    operationId: 'grantExemption',
    body: B.ReasonBody,
  },
  {
    name: 'migrate-policy',
    summary: 'Move the case to another policy version',
    type: 'MigratePolicy',
    operationId: 'migratePolicy',
    body: B.MigratePolicyBody,
  },
];
