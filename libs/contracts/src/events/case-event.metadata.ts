import { pseCaseEventEnvelopeSchemas } from '@sanksi/domain';
import type { z } from 'zod';

/**
 * The envelope's fields the store keeps in `metadata`: the domain's envelope schema less what the store
 * keeps in its own columns (id, type, payload, schema version). The domain owns every field's shape.
 */
export const CaseEventMetadata = pseCaseEventEnvelopeSchemas.PseIdentified.omit({
  eventId: true,
  type: true,
  data: true,
  schemaVersion: true,
});
export type CaseEventMetadata = z.infer<typeof CaseEventMetadata>;

// Why a hand-written check beside the zod schema: every reader of the store (the Kafka relay, the
// projector, verify, the feeds) checks every stored envelope, and `CaseEventMetadata.safeParse` builds a
// copy of the whole envelope while it checks (about 3.5 µs an event, a fifth of the relay's own work).
// This check answers the same yes/no without building anything. It is only ever a shortcut for "yes":
// whatever it does not accept is handed to zod, which stays the one source of shapes (and of the
// refusal's messages); the property spec holds it to zod's answer, with zod as the oracle.

const shape = CaseEventMetadata.shape;
const stateShape = shape.state.shape;
const deadlineShape = stateShape.nextDeadline.unwrap().shape;
const memoryShape = stateShape.memory.unwrap().shape;

// Enum members and the instant pattern come from the schema itself, so the two cannot drift apart.
const POLICY_IDS: ReadonlySet<unknown> = new Set(shape.policyVersion.options);
const ACTOR_ROLES: ReadonlySet<unknown> = new Set(shape.actor.shape.role.options);
const CASE_STATES: ReadonlySet<unknown> = new Set(stateShape.state.options);
const ORIGINS: ReadonlySet<unknown> = new Set(stateShape.origin.options);
const DEADLINE_KINDS: ReadonlySet<unknown> = new Set(deadlineShape.kind.options);
const SUBMISSION_CHANNELS: ReadonlySet<unknown> = new Set(memoryShape.pendingSubmission.unwrap().options);
const SANCTIONS: ReadonlySet<unknown> = new Set(memoryShape.highestSanction.unwrap().options);
const INSTANT = patternOf(shape.occurredAt.def.pattern);

function patternOf(pattern: RegExp | undefined): RegExp {
  if (!pattern) throw new TypeError('the envelope schema declares instants without a pattern');
  return pattern;
}

/**
 * The keys each object of the metadata schema declares, as this check reads them (the spec compares
 * them with the schema's shapes, so a field added there fails it until it is checked here too).
 */
export const CHECKED_METADATA_KEYS = {
  metadata: [
    'pseId',
    'occurredAt',
    'recordedAt',
    'actor',
    'commandId',
    'correlationId',
    'causationId',
    'policyVersion',
    'revision',
    'state',
    'prevHash',
    'hash',
  ],
  actor: ['id', 'role'],
  state: [
    'state',
    'substate',
    'value',
    'since',
    'onBlocklist',
    'domains',
    'appIds',
    'ipAddresses',
    'name',
    'origin',
    'company',
    'sector',
    'registrationNumber',
    'warnings',
    'blocks',
    'fines',
    'nextDeadline',
    'deadlines',
    'escalation',
    'memory',
  ],
  fines: ['imposedIdr', 'paidIdr', 'annulledIdr', 'outstandingIdr'],
  memory: [
    'policyVersion',
    'pendingSubmission',
    'restoredOnSubmission',
    'fines',
    'fineCount',
    'highestSanction',
    'sinceBy',
    'sinceCause',
    'lastElapsed',
    'retractions',
  ],
  fine: ['fineId', 'decisionNumber', 'amountIdr', 'paidIdr', 'annulledIdr', 'annulled', 'overdue'],
  deadline: ['kind', 'dueAt', 'fineId'],
  escalation: ['pending', 'allowed'],
} as const;

type Fields = Record<string, unknown>;

// zod's notion of an object: anything but null and arrays whose typeof is 'object'.
function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function isStringOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

// zod 4's `.int()` is a safe integer (finite, whole, within ±2^53 - 1); `.nonnegative()` is `>= 0`.
function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isInstant(value: unknown): boolean {
  return typeof value === 'string' && INSTANT.test(value);
}

function isStringArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}

function isDeadline(value: unknown): boolean {
  return (
    isObject(value) &&
    DEADLINE_KINDS.has(value['kind']) &&
    isInstant(value['dueAt']) &&
    isStringOrNull(value['fineId'])
  );
}

function isFines(value: unknown): boolean {
  return (
    isObject(value) &&
    isCount(value['imposedIdr']) &&
    isCount(value['paidIdr']) &&
    isCount(value['annulledIdr']) &&
    isCount(value['outstandingIdr'])
  );
}

function isDeadlines(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!isDeadline(value[i])) return false;
  return true;
}

function isPositiveCount(value: unknown): boolean {
  return isCount(value) && (value as number) > 0;
}

function isFineMemory(value: unknown): boolean {
  return (
    isObject(value) &&
    isNonEmptyString(value['fineId']) &&
    typeof value['decisionNumber'] === 'string' &&
    isCount(value['amountIdr']) &&
    isCount(value['paidIdr']) &&
    isCount(value['annulledIdr']) &&
    typeof value['annulled'] === 'boolean' &&
    typeof value['overdue'] === 'boolean'
  );
}

function isFineMemories(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isFineMemory(value[i])) return false;
  return true;
}

// The memory's members are all optional: absent (or undefined, as zod's `.optional()` takes it) or of their
// shape. One table, built once: the check runs for every event every reader reads.
const MEMORY_CHECKS: ReadonlyArray<readonly [string, (member: unknown) => boolean]> = [
  ['policyVersion', (m) => POLICY_IDS.has(m)],
  ['pendingSubmission', (m) => SUBMISSION_CHANNELS.has(m)],
  ['restoredOnSubmission', (m) => m === true],
  ['fines', isFineMemories],
  ['fineCount', isPositiveCount],
  ['highestSanction', (m) => SANCTIONS.has(m)],
  ['sinceBy', (m) => typeof m === 'string'],
  ['sinceCause', (m) => typeof m === 'string'],
  ['lastElapsed', (m) => DEADLINE_KINDS.has(m)],
  ['retractions', isPositiveCount],
];

function isMemory(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const [key, check] of MEMORY_CHECKS) {
    const member = value[key];
    if (member !== undefined && !check(member)) return false;
  }
  return true;
}

function isStateAfter(value: unknown): boolean {
  if (!isObject(value)) return false;
  const nextDeadline = value['nextDeadline'];
  const escalation = value['escalation'];
  const appIds = value['appIds'];
  const ipAddresses = value['ipAddresses'];
  const memory = value['memory'];
  return (
    CASE_STATES.has(value['state']) &&
    isStringOrNull(value['substate']) &&
    // `value` is z.unknown(): anything, but the key must be there (zod asks `'value' in state`).
    'value' in value &&
    isInstant(value['since']) &&
    typeof value['onBlocklist'] === 'boolean' &&
    isStringArray(value['domains']) &&
    (appIds === undefined || isStringArray(appIds)) &&
    (ipAddresses === undefined || isStringArray(ipAddresses)) &&
    typeof value['name'] === 'string' &&
    ORIGINS.has(value['origin']) &&
    isStringOrNull(value['company']) &&
    isStringOrNull(value['sector']) &&
    isStringOrNull(value['registrationNumber']) &&
    isCount(value['warnings']) &&
    isCount(value['blocks']) &&
    isFines(value['fines']) &&
    (nextDeadline === null || isDeadline(nextDeadline)) &&
    isDeadlines(value['deadlines']) &&
    isObject(escalation) &&
    typeof escalation['pending'] === 'boolean' &&
    isStringArray(escalation['allowed']) &&
    (memory === undefined || isMemory(memory))
  );
}

/**
 * True exactly when `CaseEventMetadata.safeParse(metadata).success` is (without building zod's copy);
 * on false, ask the schema what is wrong.
 */
export function isCaseEventMetadata(metadata: unknown): metadata is CaseEventMetadata {
  if (!isObject(metadata)) return false;
  const actor = metadata['actor'];
  return (
    isNonEmptyString(metadata['pseId']) &&
    isInstant(metadata['occurredAt']) &&
    isInstant(metadata['recordedAt']) &&
    isObject(actor) &&
    isNonEmptyString(actor['id']) &&
    ACTOR_ROLES.has(actor['role']) &&
    isNonEmptyString(metadata['commandId']) &&
    isNonEmptyString(metadata['correlationId']) &&
    isStringOrNull(metadata['causationId']) &&
    POLICY_IDS.has(metadata['policyVersion']) &&
    isCount(metadata['revision']) &&
    isStateAfter(metadata['state']) &&
    isStringOrNull(metadata['prevHash']) &&
    typeof metadata['hash'] === 'string'
  );
}
