import {
  type DeadLetter,
  kafkaSecurity,
  readDeadLetters,
  replayDeadLetters,
  replayTrafficDeadLetters,
  TRAFFIC_DEAD_LETTER_REASONS,
} from '@sanksi/application';
import {
  createKafka,
  OSS_REGISTRATIONS_DLQ,
  TRAFFIC_INBOUND_DLQ,
  TRAFFIC_INBOUND_TOPIC,
} from '@sanksi/messaging';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli.errors';
import { z } from 'zod';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

const OssDeadLetterReason = z.enum([
  'unparseable',
  'invalid',
  'unknown-case',
  'ambiguous-case',
  'refused',
  'unsigned',
  'unknown-key',
  'bad-signature',
  'signature-expired',
  'handler-failed',
]);
const TrafficDeadLetterReason = z.enum(TRAFFIC_DEAD_LETTER_REASONS);
/** Which consumer's DLQ: the OSS registrations' or the traffic observations'. */
const DlqSource = z.enum(['oss', 'traffic']);
type DlqSource = z.infer<typeof DlqSource>;
const DEFAULT_TOPICS: Record<DlqSource, string> = {
  oss: OSS_REGISTRATIONS_DLQ,
  traffic: TRAFFIC_INBOUND_DLQ,
};
const REASONS: Record<DlqSource, readonly string[]> = {
  oss: OssDeadLetterReason.options,
  traffic: TrafficDeadLetterReason.options,
};

const ListOptions = z.object({
  source: DlqSource.default('oss'),
  topic: z.string().min(1).optional(),
  json: z.boolean().optional(),
});
const ReplayOptions = z
  .object({
    source: DlqSource.default('oss'),
    topic: z.string().min(1).optional(),
    reason: z.array(z.string()).optional(),
    offset: z.array(z.string().regex(/^\d+$/, 'must be a DLQ offset (digits)')).optional(),
    all: z.boolean().optional(),
    json: z.boolean().optional(),
  })
  .refine((o) => o.all || (o.reason?.length ?? 0) > 0 || (o.offset?.length ?? 0) > 0, {
    message: 'choose what to replay: --offset <n> (repeatable), --reason <reason> (repeatable) or --all',
    path: ['all'],
  })
  .superRefine((o, ctx) => {
    const known = REASONS[o.source];
    for (const reason of o.reason ?? []) {
      if (!known.includes(reason)) {
        ctx.addIssue({
          code: 'custom',
          path: ['reason'],
          message: `${reason} is no reason of the ${o.source} DLQ: ${known.join(', ')}`,
        });
      }
    }
  });

const collect = (value: string, previous: string[] = []) => [...previous, value];

function preview(value: Buffer | null): string {
  const text = value?.toString('utf8') ?? '';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const SOURCE_HELP =
  'whose DLQ: oss (the OSS registrations, oss.registrations.v1.dlq) or traffic (the traffic observations, traffic.observations.v1.dlq); default oss';

/** The append time a letter kept, as ISO text; null when it kept none that reads as a time. */
function appendedAtOf(letter: DeadLetter): string | null {
  if (!letter.appendedAt) return null;
  const at = /^\d+$/.test(letter.appendedAt)
    ? new Date(Number(letter.appendedAt))
    : new Date(letter.appendedAt);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/**
 * `sanksi dlq list|replay [--source oss|traffic]`: the OSS registrations parked in
 * `oss.registrations.v1.dlq`, or the traffic observations parked in `traffic.observations.v1.dlq`.
 */
export function register(program: Command, deps: CliDeps): void {
  const dlq = program
    .command('dlq')
    .description(
      'Dead-lettered OSS registrations or traffic observations: list them, apply them again (idempotently)',
    );

  dlq
    .command('list')
    .description('Every message in the DLQ with its reason, detail and origin (reading commits nothing)')
    .option('--source <source>', SOURCE_HELP)
    .option('--topic <topic>', "the DLQ topic (default: the source's)")
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(ListOptions, raw);
      const out = deps.output(opts);
      const { kafka, topic } = await kafkaFor(deps, opts.topic ?? DEFAULT_TOPICS[opts.source]);
      const letters = await readDeadLetters(kafka, topic);
      if (out.json) {
        out.data(
          letters.map((l) => ({
            offset: l.offset,
            partition: l.partition,
            reason: l.reason,
            detail: l.detail,
            source: l.source,
            messageId: l.messageId,
            attempts: l.attempts,
            appendedAt: appendedAtOf(l),
            value: l.value?.toString('utf8') ?? null,
          })),
        );
        return;
      }
      out.table(
        ['offset', 'reason', 'message id', 'source', 'detail', 'value'],
        letters.map((l) => [l.offset, l.reason, l.messageId, l.source, l.detail, preview(l.value)]),
      );
    });

  dlq
    .command('replay')
    .description(
      'Apply dead letters again through the consumer (OSS: signature, body, case, command; traffic: the observation ' +
        'through the ingest); already applied ones are duplicates',
    )
    .option('--source <source>', SOURCE_HELP)
    .option('--topic <topic>', "the DLQ topic (default: the source's)")
    .option('--offset <n>', 'a DLQ offset to replay (repeatable)', collect)
    .option(
      '--reason <reason>',
      `replay every letter with this reason (repeatable); oss: ${OssDeadLetterReason.options.join(', ')}; traffic: ${TrafficDeadLetterReason.options.join(', ')}`,
      collect,
    )
    .option('--all', 'replay every letter')
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(ReplayOptions, raw);
      const out = deps.output(opts);
      const { kafka, topic } = await kafkaFor(deps, opts.topic ?? DEFAULT_TOPICS[opts.source]);
      const letters = (await readDeadLetters(kafka, topic)).filter(
        (l) => opts.all || (opts.offset ?? []).includes(l.offset) || (opts.reason ?? []).includes(l.reason),
      );
      const missing = (opts.offset ?? []).filter((o) => !letters.some((l) => l.offset === o));
      if (missing.length > 0) {
        throw new CliError(
          'NOT_FOUND',
          `no dead letter at offset(s) ${missing.join(', ')} of ${topic}`,
          ExitCode.notFound,
        );
      }
      if (opts.source === 'traffic') {
        const results = await withRuntime(deps, (runtime) =>
          // Recorded as the consumer records them: attributed to the inbound topic.
          replayTrafficDeadLetters(runtime, letters, TRAFFIC_INBOUND_TOPIC),
        );
        const rows = results.map(({ letter, outcome }) => ({
          offset: letter.offset,
          messageId: letter.messageId,
          was: letter.reason,
          outcome: outcome.kind,
          ...(outcome.kind === 'dead-letter'
            ? { reason: outcome.reason, detail: outcome.detail }
            : { domain: outcome.domain, period: outcome.period, source: outcome.source }),
        }));
        if (out.json) out.data(rows);
        else
          out.table(
            ['offset', 'message id', 'was', 'now', 'observation / reason'],
            rows.map((r) => [
              r.offset,
              r.messageId,
              r.was,
              r.outcome,
              'domain' in r ? `${r.domain} ${r.period} ${r.source}` : `${r.reason}: ${r.detail}`,
            ]),
          );
        if (results.some((r) => r.outcome.kind === 'dead-letter')) process.exitCode = ExitCode.failure;
        return;
      }
      const results = await withRuntime(deps, (runtime) => replayDeadLetters(runtime, letters));
      const rows = results.map(({ letter, outcome }) => ({
        offset: letter.offset,
        messageId: outcome.messageId,
        was: letter.reason,
        outcome: outcome.kind,
        ...(outcome.kind === 'dead-letter'
          ? { reason: outcome.reason, detail: outcome.detail }
          : { pseId: outcome.pseId }),
      }));
      if (out.json) out.data(rows);
      else
        out.table(
          ['offset', 'message id', 'was', 'now', 'case / reason'],
          rows.map((r) => [
            r.offset,
            r.messageId,
            r.was,
            r.outcome,
            'pseId' in r ? String(r.pseId) : `${r.reason}: ${r.detail}`,
          ]),
        );
      // Letters that still cannot be applied are a failure the operator must see in scripts too.
      if (results.some((r) => r.outcome.kind === 'dead-letter')) process.exitCode = ExitCode.failure;
    });
}

async function kafkaFor(deps: CliDeps, topic: string | undefined) {
  const config = deps.config();
  if (!config.kafka) {
    throw new CliError(
      'KAFKA_NOT_CONFIGURED',
      'the DLQ lives in Kafka: set KAFKA_BROKERS (host:port[,host:port...])',
      ExitCode.usage,
    );
  }
  return {
    kafka: createKafka(config.kafka.brokers, { clientId: 'sanksi-cli-dlq', ...kafkaSecurity(config.kafka) }),
    topic: topic ?? OSS_REGISTRATIONS_DLQ,
  };
}
