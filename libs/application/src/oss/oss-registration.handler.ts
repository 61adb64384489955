import { CaseNotFound, DomainError, type Actor } from '@sanksi/domain';
import { traceIdOfHeaders } from '@sanksi/messaging';
import { domainKey } from '@sanksi/read-models';
import { IdempotencyKeyReused } from '../cases/case-command.errors';
import type { SanksiRuntime } from '../runtime/sanksi-runtime';
import { type OssProducerKey, verifyOssSignature } from './oss-signature';
import {
  type DeadLetterReason,
  type InboundMessage,
  messageIdOf,
  type OssRegistrationMessage,
  parseRegistrationBody,
} from './oss-registration.message';

/** The actor registrations from OSS are recorded as. */
export const OSS_ACTOR: Actor = { id: 'oss', role: 'service' };

/** What became of one message. */
export type RegistrationOutcome =
  | { kind: 'applied'; messageId: string; pseId: string; version: number; state: string }
  | { kind: 'duplicate'; messageId: string; pseId: string }
  | { kind: 'dead-letter'; messageId: string; reason: DeadLetterReason; detail: string };

/** The command id a message's registration is appended under: redeliveries share it. */
export function ossIdempotencyKey(messageId: string): string {
  return `oss:${messageId}`;
}

const PAGE = 100;

/** Which producers the handler trusts; defaults come from the runtime's configuration. */
export interface OssHandlerOptions {
  /** The allow-list of producer keys (default `SANKSI_OSS_PRODUCER_KEYS`); empty refuses every message. */
  producerKeys?: readonly OssProducerKey[];
  /** How far the signed timestamp may be from the broker's append time (default the configured 300 s). */
  signatureWindowMs?: number;
}

/**
 * Turns one `oss.registrations.v1` message into a `ConfirmRegistration` command (a blocked case is
 * normalised in the same append, docs/regulation.md §12.3). Messages that can never succeed come back as
 * `dead-letter` with a reason; infrastructure failures throw, so the message is delivered again.
 */
export class OssRegistrationHandler {
  private readonly keys: readonly OssProducerKey[];
  private readonly windowMs: number;

  constructor(
    private readonly runtime: SanksiRuntime,
    options: OssHandlerOptions = {},
  ) {
    this.keys = options.producerKeys ?? runtime.config.ossProducerKeys ?? [];
    this.windowMs = options.signatureWindowMs ?? (runtime.config.ossSignatureWindowSeconds ?? 300) * 1000;
  }

  /**
   * Handles one message; throws only for failures worth a redelivery (store unavailable...). Nothing
   * is applied unless a producer of the allow-list signed the message (docs/decisions/0005).
   */
  async handle(message: InboundMessage): Promise<RegistrationOutcome> {
    const appendedAtMs = Number(message.timestamp);
    const signature = verifyOssSignature(message, this.keys, {
      appendedAtMs: Number.isFinite(appendedAtMs) ? appendedAtMs : Number.NaN,
      windowMs: this.windowMs,
    });
    if (!signature.ok) {
      return {
        kind: 'dead-letter',
        messageId: messageIdOf(message),
        reason: signature.reason,
        detail: signature.detail,
      };
    }
    const parsed = parseRegistrationBody(message.value);
    if (!parsed.ok) {
      return { kind: 'dead-letter', messageId: messageIdOf(message), ...parsed.problem };
    }
    const body = parsed.body;
    const messageId = messageIdOf(message, body);
    const target = await this.resolveCase(body);
    if ('reason' in target) return { kind: 'dead-letter', messageId, ...target };
    try {
      const outcome = await this.runtime.commands.execute(
        { type: 'ConfirmRegistration', pseId: target.pseId, registrationNumber: body.registrationNumber },
        {
          actor: OSS_ACTOR,
          idempotencyKey: ossIdempotencyKey(messageId),
          correlationId: messageId,
          traceId: traceIdOfHeaders(message.headers),
          occurredAt: body.confirmedAt,
        },
      );
      if (outcome.duplicate) return { kind: 'duplicate', messageId, pseId: target.pseId };
      return {
        kind: 'applied',
        messageId,
        pseId: target.pseId,
        version: outcome.version,
        state: outcome.state,
      };
    } catch (e) {
      if (e instanceof CaseNotFound) {
        return { kind: 'dead-letter', messageId, reason: 'unknown-case', detail: e.message };
      }
      // A refusal or invalid metadata will be refused on every redelivery too: park it for an operator.
      if (e instanceof DomainError || e instanceof IdempotencyKeyReused)
        return { kind: 'dead-letter', messageId, reason: 'refused', detail: e.message };
      throw e;
    }
  }

  /** The case a message is about: by id, or the one case whose domains include the message's domain. */
  private async resolveCase(
    body: OssRegistrationMessage,
  ): Promise<{ pseId: string } | { reason: DeadLetterReason; detail: string }> {
    if (body.pseId !== undefined) return { pseId: body.pseId };
    const wanted = domainKey(body.domain ?? '');
    if (wanted === '')
      return { reason: 'invalid', detail: `domain "${body.domain}" is empty once normalised` };
    const matches = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.runtime.readModels.listCases({ q: wanted, limit: PAGE, cursor });
      for (const row of page.items) {
        if (row.domains.some((d) => domainKey(d) === wanted)) matches.add(row.pseId);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    if (matches.size === 0) {
      return { reason: 'unknown-case', detail: `no case has the domain ${wanted}` };
    }
    if (matches.size > 1) {
      return {
        reason: 'ambiguous-case',
        detail: `the domain ${wanted} belongs to ${matches.size} cases: ${[...matches].sort().join(', ')}`,
      };
    }
    return { pseId: [...matches][0] };
  }
}
