import fc from 'fast-check';
import { CaseState, DeadlineKind, PolicyId } from '@sanksi/domain';
import {
  caseEventBodyOf,
  caseStreamId,
  EnvelopeInvalid,
  fromRecorded,
  type StoredEvent,
  toCaseEventBody,
} from './case-event.envelope';
import { CaseEventMetadata, CHECKED_METADATA_KEYS, isCaseEventMetadata } from './case-event.metadata';

// The hand-written check is a shortcut for zod's "yes": these properties hold it to zod's answer on
// valid envelopes and on every kind of damage, with `CaseEventMetadata.safeParse` as the oracle.

type Json = Record<string, unknown>;

const oracle = (metadata: unknown): boolean => CaseEventMetadata.safeParse(metadata).success;

// Mostly valid (so that damage elsewhere is what decides), sometimes a near miss.
const instant = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({
        at: fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2099-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        offset: fc.constantFrom('Z', '+07:00', '-03:30', '+00:00', '+23:59'),
        millis: fc.boolean(),
      })
      .map(({ at, offset, millis }) => {
        const text = at.toISOString();
        return `${millis ? text.slice(0, -1) : text.slice(0, 19)}${offset}`;
      }),
  },
  // Near misses: no offset, a space for T, a 24th hour, a 30th of February, a leap day, a bad offset.
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '2022-07-20T10:00:00',
      '2022-07-20 10:00:00+07:00',
      '2022-07-20T24:00:00Z',
      '2023-02-29T10:00:00Z',
      '2024-02-29T10:00:00Z',
      '2022-02-30T10:00:00Z',
      '2022-07-20T10:00:00+7:00',
      '2022-07-20T10:00:00+24:00',
      '2022-07-20T10:00Z',
      '2022-07-20T10:00:00.Z',
      '2022-07-20T10:00:00.123456789+07:00',
      '2022-07-20',
      '',
    ),
  },
);

const nonEmpty = fc.string({ minLength: 1, maxLength: 12 });
const stringOrNull = fc.option(fc.string({ maxLength: 12 }), { nil: null });
const count = fc.oneof(fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER));
const strings = fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 });

const deadline = fc.record({
  kind: fc.constantFrom(...DeadlineKind.options),
  dueAt: instant,
  fineId: stringOrNull,
});

// Mostly valid, sometimes zero or negative where only positive counts are allowed.
const positive = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1 }) },
  { weight: 1, arbitrary: fc.integer({ max: 0 }) },
);

const fineMemory = fc.record({
  fineId: fc.string({ maxLength: 4 }),
  decisionNumber: fc.string({ maxLength: 8 }),
  amountIdr: count,
  paidIdr: count,
  annulledIdr: count,
  annulled: fc.boolean(),
  overdue: fc.boolean(),
});

const memory = fc.record(
  {
    policyVersion: fc.constantFrom(...PolicyId.options),
    pendingSubmission: fc.constantFrom('oss', 'manual'),
    restoredOnSubmission: fc.constantFrom(true, true, true, false),
    fines: fc.array(fineMemory, { maxLength: 2 }),
    fineCount: positive,
    highestSanction: fc.constantFrom('warning', 'fine', 'block'),
    sinceBy: fc.string({ maxLength: 8 }),
    sinceCause: fc.string({ maxLength: 8 }),
    lastElapsed: fc.constantFrom(...DeadlineKind.options),
    retractions: positive,
  },
  { requiredKeys: [] },
);

const stateAfter = fc.record(
  {
    state: fc.constantFrom(...CaseState.options),
    substate: stringOrNull,
    value: fc.jsonValue({ maxDepth: 2 }),
    since: instant,
    onBlocklist: fc.boolean(),
    domains: strings,
    appIds: strings,
    ipAddresses: strings,
    name: fc.string({ maxLength: 12 }),
    origin: fc.constantFrom('domestic', 'foreign'),
    company: stringOrNull,
    sector: stringOrNull,
    registrationNumber: stringOrNull,
    warnings: count,
    blocks: count,
    fines: fc.record({ imposedIdr: count, paidIdr: count, annulledIdr: count, outstandingIdr: count }),
    nextDeadline: fc.option(deadline, { nil: null }),
    deadlines: fc.array(deadline, { maxLength: 3 }),
    escalation: fc.record({ pending: fc.boolean(), allowed: strings }),
    memory,
  },
  // appIds, ipAddresses and memory are optional (absent on older events); every other key is required.
  {
    requiredKeys: CHECKED_METADATA_KEYS.state.filter(
      (k) => k !== 'appIds' && k !== 'ipAddresses' && k !== 'memory',
    ),
  },
);

/** Metadata as the application stores it (mostly valid: instants include near misses). */
const metadata = fc.record({
  pseId: nonEmpty,
  occurredAt: instant,
  recordedAt: instant,
  actor: fc.record({
    id: nonEmpty,
    role: fc.constantFrom('operator', 'analyst', 'service', 'admin', 'system'),
  }),
  commandId: nonEmpty,
  correlationId: nonEmpty,
  causationId: stringOrNull,
  policyVersion: fc.constantFrom(...PolicyId.options),
  revision: count,
  state: stateAfter,
  prevHash: stringOrNull,
  hash: fc.string({ maxLength: 64 }),
});

/** What a damaged field may hold instead: every JSON type, their edge values, and what JSON cannot hold. */
const damage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    0,
    -0,
    -1,
    1.5,
    2 ** 53,
    -(2 ** 53),
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    '',
    ' ',
    'closed',
    'warned',
    'system',
    'kominfo-2022',
    'foreign',
    'finePayment',
    '2022-07-20T10:00:00+07:00',
    true,
    false,
    [],
    [''],
    [null],
    [1],
    // A hole reads as undefined.
    // eslint-disable-next-line no-sparse-arrays
    [, 'a'],
    {},
    { kind: 'finePayment', dueAt: '2022-07-20T10:00:00Z', fineId: null },
    new Date(0),
  ),
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Every path into the metadata that names an object member or an array element of it. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [];
  const paths: Array<Array<string | number>> = [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  for (const key of keys) {
    const path = [...prefix, key];
    paths.push(path, ...pathsOf((value as Json)[key as string], path));
  }
  return paths;
}

/** A deep copy of `value` with the member at `path` set to `to`, or deleted when `remove`. */
function changed(value: unknown, path: Array<string | number>, to: unknown, remove = false): unknown {
  const copy = structuredClone(value) as Json;
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = parent[key as string] as Json;
  const last = path[path.length - 1] as string;
  if (remove && !Array.isArray(parent)) delete parent[last];
  else parent[last] = to;
  return copy;
}

describe('isCaseEventMetadata against the zod schema', () => {
  it('given the keys it checks, then they are exactly the keys of the schema objects (a new field fails here)', () => {
    const state = CaseEventMetadata.shape.state.shape;
    expect([...CHECKED_METADATA_KEYS.metadata].sort()).toEqual(Object.keys(CaseEventMetadata.shape).sort());
    expect([...CHECKED_METADATA_KEYS.actor].sort()).toEqual(
      Object.keys(CaseEventMetadata.shape.actor.shape).sort(),
    );
    expect([...CHECKED_METADATA_KEYS.state].sort()).toEqual(Object.keys(state).sort());
    expect([...CHECKED_METADATA_KEYS.fines].sort()).toEqual(Object.keys(state.fines.shape).sort());
    expect([...CHECKED_METADATA_KEYS.deadline].sort()).toEqual(
      Object.keys(state.nextDeadline.unwrap().shape).sort(),
    );
    expect([...CHECKED_METADATA_KEYS.escalation].sort()).toEqual(Object.keys(state.escalation.shape).sort());
    const memory = state.memory.unwrap().shape;
    expect([...CHECKED_METADATA_KEYS.memory].sort()).toEqual(Object.keys(memory).sort());
    expect([...CHECKED_METADATA_KEYS.fine].sort()).toEqual(
      Object.keys(memory.fines.unwrap().element.shape).sort(),
    );
  });

  it('given generated metadata (valid, or with near-miss instants), then it answers as zod does', () => {
    fc.assert(
      fc.property(metadata, (m) => {
        expect(isCaseEventMetadata(m)).toBe(oracle(m));
      }),
      { numRuns: 2000 },
    );
  });

  it('given valid metadata, then both accept it', () => {
    const valid = metadata.filter((m) => oracle(m));
    fc.assert(
      fc.property(valid, (m) => {
        expect(isCaseEventMetadata(m)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('given any one member anywhere replaced by any value, then it answers as zod does', () => {
    fc.assert(
      fc.property(metadata, damage, fc.nat(), (m, to, pick) => {
        const paths = pathsOf(m);
        const broken = changed(m, paths[pick % paths.length], to);
        expect(isCaseEventMetadata(broken)).toBe(oracle(broken));
      }),
      { numRuns: 5000 },
    );
  });

  it('given every member in turn removed, then it answers as zod does (only appIds, ipAddresses, the memory and its optional members may be missing)', () => {
    fc.assert(
      fc.property(metadata, (m) => {
        for (const path of pathsOf(m)) {
          const broken = changed(m, path, undefined, true);
          expect(isCaseEventMetadata(broken)).toBe(oracle(broken));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('given every member in turn set to each damaging value, then it answers as zod does', () => {
    const m = fc.sample(metadata.filter(oracle), { numRuns: 1, seed: 10 })[0] as Json;
    const values = fc.sample(damage, { numRuns: 60, seed: 11 });
    for (const path of pathsOf(m)) {
      for (const to of values) {
        const broken = changed(m, path, to);
        expect({ path, to, accepted: isCaseEventMetadata(broken) }).toEqual({
          path,
          to,
          accepted: oracle(broken),
        });
      }
    }
  });

  it('given extra keys at any level, then both still accept (zod strips them, the store keeps them)', () => {
    fc.assert(
      fc.property(
        metadata.filter(oracle),
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.jsonValue({ maxDepth: 1 }),
        fc.nat(),
        (m, key, value, pick) => {
          const objects = [[], ...pathsOf(m)].filter((path) => {
            let at: unknown = m;
            for (const k of path) at = (at as Json)[k as string];
            return at !== null && typeof at === 'object' && !Array.isArray(at);
          });
          const path = objects[pick % objects.length];
          const copy = structuredClone(m) as Json;
          let at: Json = copy;
          for (const k of path) at = at[k as string] as Json;
          // Only a key the schema does not declare there is "extra".
          if (Object.prototype.hasOwnProperty.call(at, key) || key === '__proto__') return;
          at[key] = value;
          expect(isCaseEventMetadata(copy)).toBe(true);
          expect(oracle(copy)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('given something that is not an object, or members inherited from a prototype, then it answers as zod does', () => {
    for (const value of [undefined, null, 0, '', 'metadata', true, [], [{}], new Date(0), new Map()]) {
      expect(isCaseEventMetadata(value)).toBe(oracle(value));
    }
    const m = fc.sample(metadata.filter(oracle), { numRuns: 1, seed: 3 })[0] as Json;
    const state = m['state'] as Json;
    // zod reads `input[key]` and asks `key in input`: a member found on the prototype counts for both.
    const inherited = {
      ...m,
      state: Object.assign(Object.create({ value: 1, since: state['since'] }), state),
    };
    delete (inherited.state as Json)['value'];
    delete (inherited.state as Json)['since'];
    expect(isCaseEventMetadata(inherited)).toBe(oracle(inherited));
    expect(isCaseEventMetadata(inherited)).toBe(true);
  });
});

function storedOf(m: Json, position: number): StoredEvent {
  return {
    eventId: 'e-1',
    type: 'WarningIssued',
    data: { note: 'n' },
    schemaVersion: 1,
    metadata: { ...m, commandDigest: 'd', traceId: 'a'.repeat(32) },
    streamId: typeof m['pseId'] === 'string' ? caseStreamId(m['pseId']) : 'pse-x',
    revision: 0,
    position,
  };
}

function outcome(read: () => unknown): unknown {
  try {
    return { ok: read() };
  } catch (e) {
    if (e instanceof EnvelopeInvalid) return { refused: e.issues };
    throw e;
  }
}

describe('caseEventBodyOf', () => {
  it('given any stored metadata, valid or damaged, then it is toCaseEventBody(fromRecorded(...)) to the byte, or the same refusal', () => {
    fc.assert(
      fc.property(metadata, damage, fc.nat(), fc.boolean(), fc.nat(), (m, to, pick, damaged, position) => {
        const paths = pathsOf(m);
        const used = damaged ? (changed(m, paths[pick % paths.length], to) as Json) : m;
        const recorded = storedOf(used, position);
        const direct = outcome(() => caseEventBodyOf(recorded));
        const viaEnvelope = outcome(() => toCaseEventBody(fromRecorded(recorded), recorded.position));
        expect(direct).toEqual(viaEnvelope);
        if ('ok' in (direct as Json)) {
          expect(JSON.stringify((direct as Json)['ok'])).toBe(JSON.stringify((viaEnvelope as Json)['ok']));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
