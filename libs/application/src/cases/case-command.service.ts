import {
  type Actor,
  DomainError,
  PseCaseCommand,
  type PseCaseEventEnvelope,
  canonicalJson,
  decide,
  type Decision,
  decideOnHistory,
  effectiveHistory,
  elapseCommandId,
  foldCase,
  snapshotFromRecorded,
  type PseCaseSnapshot,
  sha256Hex,
  getPolicy,
  needsHistory,
  type PolicyId,
} from '@sanksi/domain';
import { caseStreamId, fromRecorded, pseIdOfStream } from '@sanksi/contracts';
import {
  type AppendResult,
  AppendOutcomeUnknown,
  CommandIdInUse,
  type EventStore,
  WrongExpectedRevision,
} from '@sanksi/event-store';
import { type CaseHead, CaseHeadCache, DEFAULT_CASE_HEAD_CAPACITY } from './case-head.cache';
import { type Clock, type IdGenerator, randomIds, systemClock } from './clock';
import { ConcurrentModification, IdempotencyKeyReused, VersionMismatch } from './case-command.errors';
import { appendOf, commandDigestOf, toStoredEvent } from './case-stream';
import type { CommandObserver } from '../metrics/sanksi-metrics';
import { type ParsedCommand, parseCommand } from './parsed-command';

/** Who sends a command and how: the HTTP headers, the CLI's flags or a Kafka message's keys. */
export interface CommandContext {
  actor: Actor;
  /**
   * `Idempotency-Key`: the same key with the same command returns the first outcome and appends nothing;
   * with another command it is refused (`IdempotencyKeyReused`).
   */
  idempotencyKey?: string;
  /**
   * What `idempotencyKey` is unique in: the whole store (the default: a key sent again for another case is
   * refused, inside the append, naming the first case), or this case alone — for a caller whose keys are
   * built from the case itself (`simulate`, `import`), which spares every append a look-up among the
   * store-wide commands and the record its entry in their index (docs/decisions/0016).
   */
  idempotencyScope?: 'store' | 'case';
  /** The key as its sender wrote it (the API scopes keys by caller), for refusals. */
  idempotencyKeyAsSent?: string;
  /** `If-Match`: the case version the sender decided on; a different current version is refused. */
  expectedVersion?: number;
  correlationId?: string;
  causationId?: string;
  /**
   * W3C trace id of the request or message behind the command: kept beside the envelope in the stored
   * metadata (not hashed) and sent on by the relay as a `traceparent` header.
   */
  traceId?: string;
  /** Business time; defaults to now. */
  occurredAt?: string;
  /**
   * Record time, for importing history the system learnt earlier (the registry crawl's time).
   * Trusted callers only — the HTTP API never sets it; defaults to the clock's now.
   */
  recordedAt?: string;
}

/** What a command did: the case after it and the events it appended. */
export interface CommandOutcome {
  pseId: string;
  version: number;
  state: string;
  substate: string | null;
  events: PseCaseEventEnvelope[];
  /** True when this was a retry of an already-applied command (nothing was appended). */
  duplicate: boolean;
}

/** A case as loaded from its stream. */
export interface LoadedCase {
  pseId: string;
  envelopes: PseCaseEventEnvelope[];
  version: number;
  /** The digest of each command that recorded one (what its sender asked), by command id. */
  digests: Map<string, string>;
  /** Per event (aligned with `envelopes`): the command id of the append that wrote it, where recorded. */
  appends: Array<string | undefined>;
}

const MAX_ATTEMPTS = 5;

/** The head of a case never seen, presumed when it is being opened: the store refuses it if the case exists. */
const NEW_CASE: CaseHead = { snapshot: undefined, version: 0 };

/** Options of the command path. */
export interface CaseCommandOptions {
  defaultPolicy: PolicyId;
  clock?: Clock;
  ids?: IdGenerator;
  /**
   * How many case heads to keep (default 32,768, `SANKSI_CASE_HEAD_CAPACITY` in the runtime) so a command
   * is decided without reading its case's stream; 0 reads every case from the store, as before the cache.
   */
  caseHeadCapacity?: number;
  /** Told of every command's outcome and every append's time (the process's metrics). */
  observer?: Pick<CommandObserver, 'commandSettled'>;
}

/** The command types, so a metrics label never carries whatever a caller typed. */
const COMMAND_TYPES: ReadonlySet<string> = new Set(PseCaseCommand.options.map((o) => o.shape.type.value));

/**
 * The one path of a command (ARCHITECTURE.md): load the case's events, fold them through the
 * machine, `decide`, append with the expected revision. Nothing else happens here: projections,
 * Kafka and deadlines follow from the log.
 */
export class CaseCommandService {
  /** Case heads of this process; undefined when turned off (`caseHeadCapacity: 0`). */
  private readonly heads: CaseHeadCache | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly options: CaseCommandOptions = { defaultPolicy: 'pp43-2023' },
  ) {
    const capacity = options.caseHeadCapacity ?? DEFAULT_CASE_HEAD_CAPACITY;
    this.heads = capacity > 0 ? new CaseHeadCache(capacity) : undefined;
  }

  private get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  private get ids(): IdGenerator {
    return this.options.ids ?? randomIds;
  }

  /** Reads a case's events, oldest first. */
  async load(pseId: string): Promise<LoadedCase> {
    const recorded = await this.store.readStream(caseStreamId(pseId));
    const envelopes = recorded.map((event) => fromRecorded(event));
    const digests = new Map<string, string>();
    for (const [i, event] of recorded.entries()) {
      const digest = commandDigestOf(event);
      if (digest) digests.set(envelopes[i].commandId, digest);
    }
    return { pseId, envelopes, version: envelopes.length, digests, appends: recorded.map(appendOf) };
  }

  /**
   * Validates one command (`PseCaseCommand`), decides it and appends it; throws `ValidationFailed`, the
   * domain's refusal or a concurrency error. The entry point of every caller whose input is not yet parsed.
   */
  async execute(input: PseCaseCommand, context: CommandContext): Promise<CommandOutcome> {
    return this.settle(input, context, () => this.decideAndAppend(parseCommand(input), context));
  }

  /**
   * Decides and appends a command validated once already (`parseCommand`, or the HTTP edge's body schemas
   * through `parsedAtTheEdge`) without parsing it again; otherwise exactly `execute`.
   */
  async executeParsed(command: ParsedCommand, context: CommandContext): Promise<CommandOutcome> {
    return this.settle(command, context, () => this.decideAndAppend(command, context));
  }

  /** Runs one command's work and tells the observer how it settled. */
  private async settle(
    input: PseCaseCommand,
    context: CommandContext,
    work: () => Promise<CommandOutcome>,
  ): Promise<CommandOutcome> {
    const observer = this.options.observer;
    if (!observer) return work();
    const type = typeof input?.type === 'string' && COMMAND_TYPES.has(input.type) ? input.type : 'unknown';
    try {
      const outcome = await work();
      observer.commandSettled(type, outcome.duplicate ? 'duplicate' : 'applied');
      return outcome;
    } catch (e) {
      // A refusal is the domain's or the command path's answer (4xx at the edges); anything else, a
      // store away or an outcome unknown, is a failure.
      const refused =
        e instanceof DomainError ||
        e instanceof VersionMismatch ||
        e instanceof IdempotencyKeyReused ||
        e instanceof ConcurrentModification;
      const code = (e as { code?: unknown }).code;
      observer.commandSettled(
        type,
        refused ? 'refused' : 'failed',
        typeof code === 'string' ? code : 'UNKNOWN',
      );
      throw e;
    }
  }

  private async decideAndAppend(command: ParsedCommand, context: CommandContext): Promise<CommandOutcome> {
    const given = context.idempotencyKey ?? this.ids.next();
    // What the sender asked: a key reused for anything else is refused, not answered with the first outcome.
    // Without a key nothing can reuse the command's id for another command (a fresh id, or the domain's own id
    // of a deadline's elapse, which every scheduler asks alike), so there is nothing to digest or record.
    const digest =
      context.idempotencyKey === undefined
        ? undefined
        : sha256Hex(canonicalJson({ command, occurredAt: context.occurredAt ?? null }));
    const guessed = await this.executeOnHead(command, given, digest, context);
    if (guessed && 'outcome' in guessed) return guessed.outcome;
    // Set once an append's outcome is unknown (connection lost after sending it). The next attempt
    // resolves it: it re-reads the case and, under the same command id, either finds the append and
    // answers with it or appends it — the store never applies one command id twice on a stream. If
    // the database is still away, the caller is told the outcome is unknown, never "not applied".
    let unknown: AppendOutcomeUnknown | undefined = guessed?.unknown;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let loaded: LoadedCase;
      try {
        loaded = await this.load(command.pseId);
      } catch (e) {
        throw unknown ?? e;
      }
      const snapshot = loaded.envelopes.length > 0 ? foldCase(loaded.envelopes) : undefined;
      const head: CaseHead = { snapshot, version: loaded.version };
      this.heads?.remember(command.pseId, head);
      const commandId =
        context.idempotencyKey === undefined && snapshot ? (elapseIdOf(command, snapshot) ?? given) : given;
      const replayed = this.previousOutcome(loaded, commandId, command.type, digest, context);
      if (replayed) return replayed;
      if (context.expectedVersion !== undefined && context.expectedVersion !== loaded.version) {
        throw new VersionMismatch(command.pseId, context.expectedVersion, loaded.version);
      }
      const decision = decideOnHistory(
        command,
        loaded.envelopes,
        this.policyOf(snapshot),
        this.metadataOf(commandId, context),
        snapshot,
      );
      if (!decision.ok) throw decision.error;
      let appended: AppendResult;
      try {
        appended = await this.append(command, head.version, decision, commandId, digest, context);
        if (appended.duplicate) {
          this.heads?.forget(command.pseId);
          // Another sender of the same command won the race: answer with what it appended.
          const replayed = this.previousOutcome(
            await this.load(command.pseId),
            commandId,
            command.type,
            digest,
            context,
          );
          if (replayed) return replayed;
        }
      } catch (e) {
        if (e instanceof AppendOutcomeUnknown) {
          this.heads?.forget(command.pseId);
          if (unknown) throw unknown;
          unknown = e;
          continue;
        }
        if (!(e instanceof WrongExpectedRevision)) throw unknown ?? e;
        if (context.expectedVersion !== undefined) {
          const actual = typeof e.actual === 'number' ? e.actual + 1 : 0;
          throw new VersionMismatch(command.pseId, context.expectedVersion, actual);
        }
        continue; // another writer won: decide again on the case as it now stands
      }
      return this.appended(command.pseId, head, decision, !appended.duplicate);
    }
    throw new ConcurrentModification(command.pseId, MAX_ATTEMPTS);
  }

  /**
   * The fast path: decides on the case head this process remembers (or, for a case being opened that it
   * has never seen, on no case at all) without reading the stream. It answers only when the append
   * succeeds — the store's expected-revision check then proves the head was the stream as it stands.
   * Everything else is left to the store-read path (undefined, or the unknown outcome it must resolve):
   * a retry (the store finds its command id on the stream and appends nothing, whatever the head said;
   * the retry is then answered from the stream, key checks included), a fact dated before the
   * case's last event (a retraction needs the history, docs/regulation.md §9.5), an `If-Match` that does
   * not match, a refusal, or another writer ahead of the head. So a stale head costs a re-read, never a
   * different answer.
   */
  private async executeOnHead(
    command: PseCaseCommand,
    given: string,
    digest: string | undefined,
    context: CommandContext,
  ): Promise<{ outcome: CommandOutcome } | { unknown: AppendOutcomeUnknown } | undefined> {
    if (!this.heads) return undefined;
    const head =
      this.heads.get(command.pseId) ??
      (command.type === 'IdentifyPse' ? NEW_CASE : await this.headFromLastEvent(command.pseId));
    if (!head) return undefined;
    const snapshot = head.snapshot;
    const commandId =
      context.idempotencyKey === undefined && snapshot ? (elapseIdOf(command, snapshot) ?? given) : given;
    if (context.expectedVersion !== undefined && context.expectedVersion !== head.version) return undefined;
    const metadata = this.metadataOf(commandId, context);
    if (needsHistory(command, snapshot, metadata)) return undefined;
    const decision = decide(command, snapshot, this.policyOf(snapshot), metadata);
    if (!decision.ok) return undefined;
    try {
      const appended = await this.append(command, head.version, decision, commandId, digest, context);
      if (appended.duplicate) return undefined;
    } catch (e) {
      this.heads.forget(command.pseId);
      if (e instanceof AppendOutcomeUnknown) return { unknown: e };
      if (e instanceof WrongExpectedRevision) return undefined;
      throw e;
    }
    return { outcome: this.appended(command.pseId, head, decision) };
  }

  /**
   * A case this process does not remember: its head as its last event recorded it — one event read, no fold
   * (decision 0013) — and remembered like a head read the long way. Undefined when the case has no events,
   * or its last event was recorded before states carried the case's memory (the stream is folded instead).
   */
  private async headFromLastEvent(pseId: string): Promise<CaseHead | undefined> {
    const [last] = await this.store.readStream(caseStreamId(pseId), { direction: 'backwards', limit: 1 });
    if (!last) return undefined;
    const snapshot = snapshotFromRecorded(fromRecorded(last));
    if (!snapshot) return undefined;
    const head: CaseHead = { snapshot, version: last.revision + 1 };
    this.heads?.remember(pseId, head);
    return head;
  }

  private policyOf(snapshot: PseCaseSnapshot | undefined) {
    return getPolicy((snapshot?.context.policyVersion as PolicyId | undefined) ?? this.options.defaultPolicy);
  }

  private metadataOf(commandId: string, context: CommandContext) {
    return {
      commandId,
      correlationId: context.correlationId ?? commandId,
      causationId: context.causationId,
      actor: context.actor,
      now: context.recordedAt ?? this.clock.now().toISOString(),
      occurredAt: context.occurredAt,
    };
  }

  /**
   * Appends a decision's events on top of `version` events, with the command's notes beside them. A
   * sender's Idempotency-Key names one command in the whole store: the store refuses it, inside the
   * append's own transaction, when another case recorded it (so two first uses racing on two cases
   * cannot both land), and the refusal names that case.
   */
  private async append(
    { pseId, type }: PseCaseCommand,
    version: number,
    decision: Extract<Decision, { ok: true }>,
    commandId: string,
    digest: string | undefined,
    context: CommandContext,
  ): Promise<AppendResult> {
    try {
      return await this.store.appendToStream(
        caseStreamId(pseId),
        decision.events.map((event) =>
          toStoredEvent(event, {
            commandDigest: event.commandId === commandId ? digest : undefined,
            append: commandId,
            traceId: context.traceId,
          }),
        ),
        {
          expectedRevision: version === 0 ? 'no_stream' : version - 1,
          commandId,
          commandIdScope:
            context.idempotencyKey === undefined || context.idempotencyScope === 'case' ? 'stream' : 'store',
        },
      );
    } catch (e) {
      if (!(e instanceof CommandIdInUse)) throw e;
      throw new IdempotencyKeyReused(
        pseIdOfStream(e.recordedOn),
        context.idempotencyKeyAsSent ?? commandId,
        'a command of its own',
        type,
      );
    }
  }

  /** The outcome of an append that went through, remembering the case's new head. */
  private appended(
    pseId: string,
    head: CaseHead,
    { events, snapshot }: Extract<Decision, { ok: true }>,
    written = true,
  ): CommandOutcome {
    const last = events[events.length - 1];
    if (this.heads && written) {
      // A retraction rewinds the fold to an earlier snapshot: the next command reads the stream instead.
      if (events.some((e) => e.type === 'ConsequencesRetracted')) this.heads.forget(pseId);
      else this.heads.remember(pseId, { snapshot, version: head.version + events.length });
    }
    return {
      pseId,
      version: head.version + events.length,
      state: last.state.state,
      substate: last.state.substate,
      events,
      duplicate: false,
    };
  }

  /**
   * A retry of a command already in the stream returns what it did the first time; the same key sent with
   * another command (another body or business time) is refused.
   */
  private previousOutcome(
    loaded: LoadedCase,
    commandId: string,
    commandType: string,
    digest: string | undefined,
    context: CommandContext,
  ): CommandOutcome | null {
    // Retracted events no longer count: a re-derived elapse is a new command.
    const effective = effectiveHistory(loaded.envelopes);
    const own = effective.findIndex((e) => e.commandId === commandId);
    if (own < 0) return null;
    const recordedDigest = loaded.digests.get(commandId);
    if (recordedDigest !== undefined && digest !== undefined && recordedDigest !== digest) {
      throw new IdempotencyKeyReused(
        loaded.pseId,
        context.idempotencyKeyAsSent ?? commandId,
        effective[own].type,
        commandType,
      );
    }
    // The whole append the command made: what bringing the case up to date wrote first, then its own.
    const inAppend = loaded.envelopes.filter(
      (e, i) => e.commandId === commandId || loaded.appends[i] === commandId,
    );
    const lastIndex = loaded.envelopes.lastIndexOf(inAppend[inAppend.length - 1]);
    const last = loaded.envelopes[lastIndex];
    return {
      pseId: loaded.pseId,
      version: lastIndex + 1,
      state: last.state.state,
      substate: last.state.substate,
      events: inAppend,
      duplicate: true,
    };
  }
}

/** The domain's own command id for an `ElapseDeadline` (the deadline as the case now has it), if it runs. */
function elapseIdOf(command: PseCaseCommand, snapshot: PseCaseSnapshot): string | undefined {
  if (command.type !== 'ElapseDeadline') return undefined;
  const deadline = snapshot.context.deadlines.find(
    (d) => d.kind === command.deadline && (command.fineId === undefined || d.fineId === command.fineId),
  );
  return deadline ? elapseCommandId(command.pseId, deadline, snapshot.context.retractions) : undefined;
}
