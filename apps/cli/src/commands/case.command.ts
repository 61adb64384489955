import { createHash, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { CommandContext, CommandOutcome } from '@sanksi/application';
import { createSanksiClient, type OperationId, type SanksiClient } from '@sanksi/client';
import type { Actor, PseCaseCommand } from '@sanksi/domain';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, ExitCode } from '../cli.errors';
import type { CliOutput } from '../output/cli-output';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';
import { CASE_CLI_COMMANDS, type CaseCliCommand } from './case-command-table';
import { addFieldOptions, bodyFromOptions } from './case-options';
import { caseCommandError } from './case-refusals';
import { requireDataDirectory } from '../support/data-directory';

const CommonOptions = z.object({
  api: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:3000' })
    .optional(),
  json: z.boolean().optional(),
  // The API's own rules for these headers (apps/api command-runner.ts), so both modes refuse alike.
  idempotencyKey: z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1–200 visible ASCII characters')
    .optional(),
  ifMatch: z
    .string()
    .regex(/^\s*(?:W\/)?"?\d{1,15}"?\s*$/, 'must be the case version, e.g. 3')
    .optional(),
});
type CommonOptions = z.infer<typeof CommonOptions>;

/** What the remote mode reads from the environment. */
const RemoteEnvironment = z.object({
  SANKSI_API_URL: z.string().optional(),
  SANKSI_API_KEY: z.string().trim().min(1).optional(),
});

/** What a case command did, the same in both modes. */
interface CaseCommandResult {
  pseId: string;
  version: number;
  state: string;
  substate: string | null;
  /** True when this was a retry of an already-applied command: nothing was appended. */
  replayed: boolean;
  /** The fine a `fine` command imposed. */
  fineId?: string | null;
  /** The case's next deadline after the command, if any. */
  nextDeadline: { kind: string; dueAt: string; fineId: string | null } | null;
  /** The appended events, whole in both modes (over HTTP the CLI asks for them: `Prefer: return=representation`). */
  events: Array<{ type: string; [key: string]: unknown }>;
}

/** The roles a person at the data directory may act in: what the API's command routes accept. */
const LocalActorRole = z.enum(['operator', 'admin']);

/**
 * The person running the CLI, as the events record them: `cli:<user>` (`SANKSI_ACTOR` names it otherwise)
 * in the role `SANKSI_ACTOR_ROLE` (operator unless set to admin, e.g. for an admin's override of MR5
 * Art. 20). In-process there is no key to check — whoever can write the data directory can write the log —
 * so the role is what the audit trail records, as the API records the role of the key that sent a command.
 */
function localActor(): Actor {
  let name = process.env.SANKSI_ACTOR;
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = 'unknown';
    }
  }
  const role = LocalActorRole.safeParse(process.env.SANKSI_ACTOR_ROLE ?? 'operator');
  if (!role.success) {
    throw new CliError(
      'CONFIGURATION_INVALID',
      `SANKSI_ACTOR_ROLE=${JSON.stringify(process.env.SANKSI_ACTOR_ROLE)} is not a role a case command can be sent in: use operator (the default) or admin`,
      ExitCode.configuration,
      { variable: 'SANKSI_ACTOR_ROLE', allowed: LocalActorRole.options },
    );
  }
  return { id: `cli:${name}`, role: role.data };
}

/** A new case's id without `--pse-id`: from the Idempotency-Key as the API derives it, so a retry opens one case. */
function newPseId(idempotencyKey: string | undefined): string {
  return idempotencyKey
    ? `pse-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`
    : `pse-${randomUUID()}`;
}

const versionOf = (ifMatch: string | undefined): number | undefined =>
  ifMatch === undefined ? undefined : Number(/\d+/.exec(ifMatch)?.[0]);

const fineOf = (events: CaseCommandResult['events']): string | null => {
  const imposed = events.find((e) => e.type === 'FineImposed') as { data?: { fineId?: string } } | undefined;
  return imposed?.data?.fineId ?? null;
};

async function runLocally(
  deps: CliDeps,
  spec: CaseCliCommand,
  target: { pseId?: string; fineId?: string },
  body: Record<string, unknown>,
  common: CommonOptions,
): Promise<CaseCommandResult> {
  const { occurredAt, ...fields } = body;
  const actor = localActor();
  let command: Record<string, unknown> = { type: spec.type, pseId: target.pseId, ...fields };
  if (target.fineId !== undefined) command.fineId = target.fineId;
  if (spec.opensCase)
    command = {
      ...command,
      pseId: fields.pseId ?? newPseId(common.idempotencyKey),
      company: fields.company ?? null,
      sector: fields.sector ?? null,
    };
  const context: CommandContext = {
    actor,
    // Scoped by sender as the API scopes keys by caller.
    idempotencyKey: common.idempotencyKey === undefined ? undefined : `${actor.id}:${common.idempotencyKey}`,
    idempotencyKeyAsSent: common.idempotencyKey,
    expectedVersion: versionOf(common.ifMatch),
    occurredAt: occurredAt as string | undefined,
  };
  if (!spec.opensCase) requireDataDirectory(deps.config());
  const outcome: CommandOutcome = await withRuntime(deps, (runtime) =>
    runtime.commands.execute(command as PseCaseCommand, context),
  );
  const events = JSON.parse(JSON.stringify(outcome.events)) as CaseCommandResult['events'];
  return {
    pseId: outcome.pseId,
    version: outcome.version,
    state: outcome.state,
    substate: outcome.substate,
    replayed: outcome.duplicate,
    nextDeadline: outcome.events[outcome.events.length - 1]?.state.nextDeadline ?? null,
    ...(spec.type === 'ImposeFine' ? { fineId: fineOf(events) } : {}),
    events,
  };
}

async function runRemotely(
  client: SanksiClient,
  spec: CaseCliCommand,
  target: { pseId?: string; fineId?: string },
  body: Record<string, unknown>,
  common: CommonOptions,
): Promise<CaseCommandResult> {
  // The answer names its events by reference unless asked for them whole; only --json prints them whole.
  const call = client.call.bind(client) as unknown as (
    id: OperationId,
    options: Record<string, unknown>,
  ) => Promise<{ data: CaseCommandResult; replayed: boolean }>;
  const answer = await call(spec.operationId as OperationId, {
    path: spec.opensCase ? undefined : target,
    body,
    idempotencyKey: common.idempotencyKey,
    ifMatch: common.ifMatch,
    ...(common.json ? { prefer: 'return=representation' } : {}),
  });
  const { pseId, version, state, substate, nextDeadline, events } = answer.data;
  return {
    pseId,
    version,
    state,
    substate,
    replayed: answer.replayed,
    nextDeadline,
    ...(spec.type === 'ImposeFine' ? { fineId: answer.data.fineId ?? null } : {}),
    events,
  };
}

function report(out: CliOutput, spec: CaseCliCommand, result: CaseCommandResult): void {
  if (out.json) {
    out.data({ applied: !result.replayed, ...result });
    return;
  }
  const c = out.colour;
  const state = result.substate ? `${result.state}/${result.substate}` : result.state;
  const head = result.replayed
    ? `${c.yellow('already applied')} ${spec.type} (same Idempotency-Key): nothing appended`
    : `${c.green('applied')} ${spec.type}`;
  out.line(`${head} — ${result.pseId} is ${c.bold(state)}, version ${result.version}`);
  if (result.fineId) out.line(`  fine ${result.fineId}`);
  if (result.nextDeadline)
    out.line(`  next deadline ${result.nextDeadline.kind}, due ${result.nextDeadline.dueAt}`);
  for (const event of result.events) out.line(`  + ${event.type}`);
}

/** The client for `--api` (or SANKSI_API_URL), with the key from SANKSI_API_KEY; undefined in-process. */
function remoteClient(api: string | undefined): SanksiClient | undefined {
  const env = parseOptions(RemoteEnvironment, process.env);
  const baseUrl = api ?? env.SANKSI_API_URL;
  if (baseUrl === undefined) return undefined;
  if (!env.SANKSI_API_KEY)
    throw new CliError(
      'API_KEY_MISSING',
      `--api ${baseUrl}: set SANKSI_API_KEY to an operator key of that server`,
      ExitCode.configuration,
      { baseUrl },
    );
  return createSanksiClient({ baseUrl, apiKey: env.SANKSI_API_KEY });
}

/**
 * `sanksi case <command>`: the operator's commands, in-process on the configured stores, or over HTTP
 * with `--api URL` (and SANKSI_API_KEY) — the same options, refusals, exit codes and `--json` either way.
 */
export function register(program: Command, deps: CliDeps): void {
  const group = program
    .command('case')
    .description('Operator commands on one case (in-process, or against a server with --api URL)');
  for (const spec of CASE_CLI_COMMANDS) {
    const command = group.command(spec.name).description(`${spec.summary} (${spec.type})`);
    if (!spec.opensCase) command.argument('<pseId>', 'the case id');
    if (spec.fine) command.argument('<fineId>', 'the fine (F1, F2, …)');
    addFieldOptions(command, spec.body);
    command
      .option(
        '--idempotency-key <key>',
        'makes a retry safe: the same key and command answer the first outcome',
      )
      .option('--if-match <version>', 'refuse (exit 6) unless the case is still at this version')
      .option('--api <url>', 'send to this Sanksi server (key from SANKSI_API_KEY) instead of in-process')
      .option('--json', 'machine-readable output')
      .action(async (...args: unknown[]) => {
        const positional = args.slice(0, (spec.opensCase ? 0 : 1) + (spec.fine ? 1 : 0)) as string[];
        const raw = args[positional.length] as Record<string, unknown>;
        const common = parseOptions(CommonOptions, {
          api: raw.api,
          json: raw.json,
          idempotencyKey: raw.idempotencyKey,
          ifMatch: raw.ifMatch,
        });
        const body = bodyFromOptions(spec.body, raw);
        const target = spec.opensCase
          ? {}
          : { pseId: positional[0], ...(spec.fine ? { fineId: positional[1] } : {}) };
        const out = deps.output({ json: common.json });
        const client = remoteClient(common.api);
        let result: CaseCommandResult;
        try {
          result = client
            ? await runRemotely(client, spec, target, body, common)
            : await runLocally(deps, spec, target, body, common);
        } catch (error) {
          throw caseCommandError(error, client ? 'remote' : 'local');
        }
        report(out, spec, result);
      });
  }
}
