import { hash } from 'node:crypto';

// Keys repeat across every envelope (the same few dozen names): quoting each once saves a JSON.stringify
// per member. Bounded, so data with ever-new keys cannot grow it without limit.
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 4096;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size >= QUOTED_KEYS_MAX) quotedKeys.clear();
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

// A string JSON.stringify writes as it is, between quotes: no quote, backslash, control character or
// surrogate (paired ones too, to keep the test simple: those strings take JSON.stringify's path). The
// control characters are the point of the class, hence the lint exception.
// eslint-disable-next-line no-control-regex
const VERBATIM = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** The text of a value that is not an object: JSON's, and `null` where JSON has none (undefined, functions). */
function scalarJson(value: unknown): string {
  // Most strings of an envelope (ids, times, names) need no escaping: quoting them by hand is about
  // half the cost of JSON.stringify on texts this short, and gives the same bytes.
  if (typeof value === 'string') return VERBATIM.test(value) ? `"${value}"` : JSON.stringify(value);
  // Non-finite numbers are `null` in JSON; String() spells the rest as JSON does (-0 as 0, 1e21 as 1e+21).
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value) ?? 'null';
}

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped: one text per value.
 * Objects are read by their own enumerable keys only (no `toJSON`), so a Date is `{}`.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return scalarJson(value);
  if (Array.isArray(value)) {
    const length = value.length;
    if (length === 0) return '[]';
    let out = '[';
    for (let i = 0; i < length; i += 1) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += item === undefined ? 'null' : canonicalJson(item);
    }
    return `${out}]`;
  }
  return objectJson(value as Record<string, unknown>, undefined);
}

// Objects of one shape (every envelope, every case state, every actor) list the same keys in the same
// order: sorting them once per shape, not once per object, saves most of the sort. Keyed by the first
// key, a few shapes each, compared key by key; bounded like the quoted keys.
const sortedShapes = new Map<string, Array<{ keys: string[]; sorted: string[] }>>();
const SHAPES_PER_KEY = 8;

/** An object's own enumerable keys in code-unit order (what `Array.prototype.sort` gives). */
function sortedKeysOf(record: Record<string, unknown>): readonly string[] {
  const keys = Object.keys(record);
  const length = keys.length;
  if (length < 2) return keys;
  const shapes = sortedShapes.get(keys[0]);
  if (shapes !== undefined) {
    for (const shape of shapes) {
      const known = shape.keys;
      if (known.length !== length) continue;
      let same = true;
      for (let i = 1; i < length; i += 1) {
        if (known[i] !== keys[i]) {
          same = false;
          break;
        }
      }
      if (same) return shape.sorted;
    }
  }
  const sorted = keys.slice().sort();
  if (shapes === undefined) {
    if (sortedShapes.size >= QUOTED_KEYS_MAX) sortedShapes.clear();
    sortedShapes.set(keys[0], [{ keys, sorted }]);
  } else if (shapes.length < SHAPES_PER_KEY) shapes.push({ keys, sorted });
  return sorted;
}

/** An object's canonical text, leaving out the member named `skip` (the envelope's own `hash`). */
function objectJson(record: Record<string, unknown>, skip: string | undefined): string {
  // Plain loops and one accumulator: this runs for every event appended and verified, and allocation
  // shows in the fold profile.
  const keys = sortedKeysOf(record);
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i];
    const member = record[key];
    if (member === undefined || key === skip) continue;
    if (first) first = false;
    else out += ',';
    out += quoteKey(key);
    out += ':';
    out += member !== null && typeof member === 'object' ? canonicalJson(member) : scalarJson(member);
  }
  return `${out}}`;
}

const ownEnumerable = Object.prototype.propertyIsEnumerable;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * `canonicalJson(a) === canonicalJson(b)`, without writing either text: the check a replay makes for
 * every event (recorded state against derived state) stops at the first difference and allocates nothing.
 */
export function canonicalEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const aIsObject = a !== null && typeof a === 'object';
  const bIsObject = b !== null && typeof b === 'object';
  // An object's text starts with { or [, no scalar's does; two different strings have different texts.
  if (aIsObject !== bIsObject) return false;
  if (!aIsObject) return typeof a !== 'string' && typeof b !== 'string' && scalarJson(a) === scalarJson(b);
  const aIsArray = Array.isArray(a);
  if (aIsArray !== Array.isArray(b)) return false;
  if (aIsArray) {
    const left = a as unknown[];
    const right = b as unknown[];
    if (left.length !== right.length) return false;
    for (let i = 0; i < left.length; i += 1) {
      // An undefined item is written as null.
      if (!canonicalEqual(left[i] === undefined ? null : left[i], right[i] === undefined ? null : right[i]))
        return false;
    }
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let members = 0;
  for (const key in left) {
    if (!hasOwn.call(left, key)) continue;
    const x = left[key];
    if (x === undefined) continue;
    members += 1;
    if (!ownEnumerable.call(right, key)) return false;
    const y = right[key];
    if (y === undefined || !canonicalEqual(x, y)) return false;
  }
  // Every written member of `left` is in `right` with the same text; `right` must have no others.
  let rightMembers = 0;
  for (const key in right) if (hasOwn.call(right, key) && right[key] !== undefined) rightMembers += 1;
  return members === rightMembers;
}

// One-shot `crypto.hash` (Node 20.12+): about half the time of createHash().update().digest() for the
// short texts hashed per command (the command digest, each envelope, each event id) — same bytes out.

/** sha256 hex of a text. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** The hash of an envelope: sha256 over its canonical JSON without `hash` (so it covers `prevHash`). */
export function hashEnvelope(envelope: { hash?: string } & Record<string, unknown>): string {
  // The text of the envelope less `hash`, without copying the envelope to leave it out.
  return sha256Hex(objectJson(envelope, 'hash'));
}

const NAMESPACE = Buffer.from('6f2c1b9e4d3a4c5e9b8a7f6e5d4c3b2a', 'hex');

// The namespace followed by the name, written into one reused buffer: the hash reads it synchronously, so
// no event id allocates a buffer of its own. A name of up to 340 UTF-16 units fits (3 bytes a unit at most).
const NAME_ROOM = 1024;
const scratch = Buffer.alloc(NAMESPACE.length + NAME_ROOM);
NAMESPACE.copy(scratch, 0);
const NAME_UNITS_MAX = NAME_ROOM / 3;
// The variant's hex digit: 10xx in binary, from the low two bits of the digest's digit.
const VARIANT_DIGITS = '89ab';

/** A deterministic, RFC 4122 version-5-shaped UUID for a name (event ids from command id + index). */
export function deterministicUuid(name: string): string {
  const input =
    name.length <= NAME_UNITS_MAX
      ? scratch.subarray(0, NAMESPACE.length + scratch.write(name, NAMESPACE.length, 'utf8'))
      : Buffer.concat([NAMESPACE, Buffer.from(name)]);
  const hex = hash('sha1', input, 'hex');
  // Version 5 in the 13th digit, the variant in the 17th; the rest of the first 16 bytes as they are.
  const variant = VARIANT_DIGITS[Number.parseInt(hex[16], 16) & 3];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
