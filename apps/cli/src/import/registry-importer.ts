import type {
  CaseCommandService,
  CommandContext,
  CommandOutcome,
  ImportedSystem,
  ImportPlan,
} from '@sanksi/application';
import {
  type CaseStateAfter,
  DomainError,
  type PolicyId,
  type PseCaseCommand,
  TransitionRefused,
} from '@sanksi/domain';
import { forEachLimited } from '../support/case-streams';

const ACTOR = { id: 'sanksi-import', role: 'system' } as const;
const EXAMPLES = 3;

/** What an import run did, for the summary and `--json`. */
export interface RegistryImportReport {
  systems: number;
  casesCreated: number;
  casesAlreadyPresent: number;
  commandsApplied: number;
  commandsAlreadyApplied: number;
  eventsAppended: number;
  /** Plan steps the import does not turn into commands (notes, re-issued certificates). */
  stepsSkipped: Record<string, number>;
  /** Registrations whose `registered_on` lies after the crawl that showed them: business time clipped to the crawl. */
  businessTimeClippedToCrawl: number;
  refusedByDomain: { total: number; byReason: Record<string, number>; examples: Record<string, string[]> };
  rejectedRows: { total: number; byReason: Record<string, number>; examples: Record<string, string[]> };
  finalStates: Record<string, number>;
}

/** Options of an import run. */
export interface RegistryImportOptions {
  policy: PolicyId;
  concurrency: number;
  onSystemDone?: () => void;
}

const earlier = (a: string, b: string): string => (Date.parse(a) <= Date.parse(b) ? a : b);

function refusalKey(error: DomainError): string {
  if (error instanceof TransitionRefused) return `${error.command} refused in ${error.state}`;
  return error.code;
}

/**
 * Turns the registry import plan into cases: `IdentifyPse` under the 2022 regime, then each status
 * step as the domain command it stands for, each with a deterministic idempotency key so that a
 * re-run appends nothing. Business time comes from the registry, record time from the crawl.
 */
export async function importRegistryPlan(
  commands: CaseCommandService,
  plan: ImportPlan,
  options: RegistryImportOptions,
): Promise<RegistryImportReport> {
  const report: RegistryImportReport = {
    systems: plan.systems.length,
    casesCreated: 0,
    casesAlreadyPresent: 0,
    commandsApplied: 0,
    commandsAlreadyApplied: 0,
    eventsAppended: 0,
    stepsSkipped: {},
    businessTimeClippedToCrawl: 0,
    refusedByDomain: { total: 0, byReason: {}, examples: {} },
    rejectedRows: {
      total: plan.rejected.length,
      byReason: { ...(plan.stats.rejectedByReason as Record<string, number>) },
      examples: { ...(plan.stats.examplesByReason as Record<string, string[]>) },
    },
    finalStates: {},
  };
  await forEachLimited(plan.systems, options.concurrency, async (system) => {
    const final = await importSystem(commands, system, options.policy, report);
    if (final) report.finalStates[final.state] = (report.finalStates[final.state] ?? 0) + 1;
    options.onSystemDone?.();
  });
  return report;
}

async function importSystem(
  commands: CaseCommandService,
  system: ImportedSystem,
  policy: PolicyId,
  report: RegistryImportReport,
): Promise<CaseStateAfter | null> {
  const { pseId } = system;
  // A holder, not a `let`: the closure below updates it and the control flow must see that.
  const tracked: { state: CaseStateAfter | null } = { state: null };
  const run = async (
    key: string,
    command: PseCaseCommand,
    occurredAt: string,
    recordedAt: string,
  ): Promise<CommandOutcome | null> => {
    // The keys name the case, so unique in the case is unique in the store: the append checks the case alone.
    const context: CommandContext = {
      actor: ACTOR,
      idempotencyKey: `import:${pseId}:${key}`,
      idempotencyScope: 'case',
      correlationId: `import:${pseId}`,
      occurredAt,
      recordedAt,
    };
    try {
      const outcome = await commands.execute(command, context);
      if (outcome.duplicate) report.commandsAlreadyApplied += 1;
      else {
        report.commandsApplied += 1;
        report.eventsAppended += outcome.events.length;
      }
      tracked.state = outcome.events[outcome.events.length - 1]?.state ?? tracked.state;
      return outcome;
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const reason = refusalKey(e);
      const refused = report.refusedByDomain;
      refused.total += 1;
      refused.byReason[reason] = (refused.byReason[reason] ?? 0) + 1;
      const examples = (refused.examples[reason] ??= []);
      if (examples.length < EXAMPLES) examples.push(`${pseId}: ${e.message}`);
      return null;
    }
  };

  const first = system.steps[0];
  const openedAt = first ? earlier(first.occurredAt, first.recordedAt) : undefined;
  const openedRecordedAt = first?.recordedAt;
  const identified = await run(
    'identify',
    {
      type: 'IdentifyPse',
      pseId,
      name: system.identification.name,
      origin: system.identification.origin,
      domains: system.identification.domains,
      // Only when named, so the identifications of systems with a domain stay as they were recorded.
      ...(system.identification.appIds.length > 0 ? { appIds: system.identification.appIds } : {}),
      ...(system.identification.ipAddresses.length > 0
        ? { ipAddresses: system.identification.ipAddresses }
        : {}),
      company: system.identification.company,
      sector: system.identification.sector,
      policy,
    },
    openedAt ?? new Date().toISOString(),
    openedRecordedAt ?? new Date().toISOString(),
  );
  if (!identified) return tracked.state;
  if (identified.duplicate) report.casesAlreadyPresent += 1;
  else report.casesCreated += 1;

  for (const [index, step] of system.steps.entries()) {
    const key = String(index);
    const { recordedAt } = step;
    const occurredAt = earlier(step.occurredAt, recordedAt);
    switch (step.kind) {
      case 'registrationConfirmed':
        if (occurredAt !== step.occurredAt) report.businessTimeClippedToCrawl += 1;
        await run(
          key,
          { type: 'ConfirmRegistration', pseId, registrationNumber: step.registrationNumber },
          occurredAt,
          recordedAt,
        );
        break;
      case 'suspended':
        await run(
          key,
          {
            type: 'SuspendRegistration',
            pseId,
            by: step.by,
            reason: `registry shows the registration suspended by ${step.by} (${step.source.file}:${step.source.line})`,
          },
          occurredAt,
          recordedAt,
        );
        break;
      case 'registrationRestored':
        await run(
          key,
          {
            type: 'LiftSuspension',
            pseId,
            reason: `registry shows the system registered again (${step.source.file}:${step.source.line})`,
          },
          occurredAt,
          recordedAt,
        );
        break;
      case 'revoked':
        // MR5 Art. 7(3): revocation only after the suspension's response period lapsed. Dated at the
        // revocation, the command itself first elapses that period at its due instant, in the same append
        // (docs/regulation.md §9.5); a revocation inside the period is refused and reported.
        await run(
          key,
          {
            type: 'RevokeRegistration',
            pseId,
            reason: `registry shows the registration revoked (${step.source.file}:${step.source.line})`,
          },
          occurredAt,
          recordedAt,
        );
        break;
      case 'note':
      case 'registrationNumberChanged':
        report.stepsSkipped[step.kind] = (report.stepsSkipped[step.kind] ?? 0) + 1;
        break;
      default: {
        const unhandled: never = step;
        throw new Error(`unhandled import step ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return tracked.state;
}
