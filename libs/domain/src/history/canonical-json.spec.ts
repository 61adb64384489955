import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { canonicalEqual, canonicalJson, hashEnvelope } from './hash';

// The canonical JSON as it was written when the first hashes were sealed (until #10 made it faster).
// Every stored hash was computed on its output, so the current one must give these very bytes forever.
function recordedCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out += ',';
      out += value[i] === undefined ? 'null' : recordedCanonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${recordedCanonicalJson(member)}`;
  }
  return `${out}}`;
}

// Numbers whose JSON spelling is easy to get wrong: -0, exponents at and beyond 1e21, tiny, non-finite.
const awkwardNumber = fc.constantFrom(
  -0,
  0,
  1e21,
  -1e21,
  1e20,
  123e-20,
  1e-7,
  5e-324,
  Number.MAX_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
);

// Keys that sort surprisingly: integer-like (own-key order puts them first), case, astral characters.
const awkwardKey = fc.constantFrom('0', '10', '2', 'a', 'B', 'b', '', ' ', 'é', '😀', '\u{10000}', '\uffff');
const key = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), awkwardKey);

const { value: jsonish } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    awkwardNumber,
    // Binary units include lone surrogates, which JSON.stringify escapes.
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  ),
}));

/** A deep copy with every object's keys in another order: the same canonical text. */
function reordered(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(reordered);
  const copy: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  for (const k of Object.keys(value).reverse()) copy[k] = reordered((value as Record<string, unknown>)[k]);
  return copy;
}

/** A deep copy with one leaf (chosen by `pick`) replaced by `leaf`, or the copy unchanged if it has none. */
function withLeaf(value: unknown, pick: number, leaf: unknown): unknown {
  let seen = 0;
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return seen++ === pick ? leaf : v;
    if (Array.isArray(v)) return v.map(walk);
    const copy: Record<string, unknown> = {};
    for (const k of Object.keys(v)) copy[k] = walk((v as Record<string, unknown>)[k]);
    return copy;
  };
  return walk(value);
}

describe('canonical JSON, the text every hash is computed on', () => {
  it('given any JSON-like value (unicode, nesting, awkward numbers, undefined members), then it is the recorded text byte for byte', () => {
    fc.assert(
      fc.property(jsonish, (value) => {
        expect(canonicalJson(value)).toBe(recordedCanonicalJson(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('given known values, then their texts are as sealed in the log', () => {
    expect(canonicalJson({ b: 1, a: [undefined, -0, 1e21, Number.NaN], c: undefined })).toBe(
      '{"a":[null,0,1e+21,null],"b":1}',
    );
    expect(canonicalJson({ 10: 'x', 2: 'y', B: null, a: { z: true, '😀': '\ud800' } })).toBe(
      '{"10":"x","2":"y","B":null,"a":{"z":true,"😀":"\\ud800"}}',
    );
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(new Date(0))).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('given objects of one shape, of shapes sharing a first key, and of that shape again, then each text is its own', () => {
    // Sorted key lists are remembered per shape: a look-alike shape must never borrow another's order.
    const texts = [
      { b: 1, a: 2 },
      { b: 1, c: 2, a: 3 },
      { b: 1, a: 2, c: 3 },
      { b: 'x', a: 'y' },
      { b: 1 },
      { b: 1, a: 2, c: 3, d: undefined },
    ].map((value) => [canonicalJson(value), recordedCanonicalJson(value)]);
    for (const [text, recorded] of texts) expect(text).toBe(recorded);
    expect(texts.map(([text]) => text)).toEqual([
      '{"a":2,"b":1}',
      '{"a":3,"b":1,"c":2}',
      '{"a":2,"b":1,"c":3}',
      '{"a":"y","b":"x"}',
      '{"b":1}',
      '{"a":2,"b":1,"c":3}',
    ]);
  });

  it('given any envelope-like object, then hashEnvelope is the SHA-256 of the recorded text of it without its hash', () => {
    fc.assert(
      fc.property(fc.dictionary(key, jsonish, { maxKeys: 8 }), jsonish, (fields, hash) => {
        const envelope = { ...fields, hash } as Record<string, unknown>;
        const { hash: _hash, ...rest } = envelope;
        const expected = createHash('sha256').update(recordedCanonicalJson(rest)).digest('hex');
        expect(hashEnvelope(envelope)).toBe(expected);
        expect(hashEnvelope(fields)).toBe(
          createHash('sha256')
            .update(recordedCanonicalJson({ ...fields, hash: undefined }))
            .digest('hex'),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('given two values, then canonicalEqual says whether their canonical texts are equal', () => {
    fc.assert(
      fc.property(jsonish, jsonish, (a, b) => {
        expect(canonicalEqual(a, b)).toBe(recordedCanonicalJson(a) === recordedCanonicalJson(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('given a value and a copy in another key order, then they are equal; with one leaf changed, as their texts say', () => {
    fc.assert(
      fc.property(jsonish, fc.nat(20), jsonish, (value, pick, leaf) => {
        expect(canonicalEqual(value, reordered(value))).toBe(true);
        expect(canonicalEqual(reordered(value), value)).toBe(true);
        const changed = withLeaf(value, pick, leaf);
        const same = recordedCanonicalJson(value) === recordedCanonicalJson(changed);
        expect(canonicalEqual(value, changed)).toBe(same);
        expect(canonicalEqual(changed, value)).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('given members that differ only in being undefined or absent, then they are equal; a missing defined member is not', () => {
    expect(canonicalEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(canonicalEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(canonicalEqual([undefined], [null])).toBe(true);
    expect(canonicalEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(canonicalEqual({ a: 1, b: null }, { a: 1 })).toBe(false);
    // An inherited member is not written, so it does not make two objects equal.
    expect(canonicalEqual({ toString: 1 }, {})).toBe(false);
    expect(canonicalEqual({}, { toString: 1 })).toBe(false);
    expect(canonicalEqual(JSON.parse('{"__proto__":1}'), {})).toBe(false);
    expect(canonicalEqual(0, -0)).toBe(true);
    expect(canonicalEqual(Number.NaN, null)).toBe(true);
    expect(canonicalEqual('1', 1)).toBe(false);
    expect(canonicalEqual([], {})).toBe(false);
  });
});
