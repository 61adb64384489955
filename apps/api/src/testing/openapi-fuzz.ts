import fc from 'fast-check';
import type { WireRequest, WireResponse } from './wire-client';

/** The part of a JSON Schema (OpenAPI 3.0 dialect) the request bodies and parameters use. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** The subset of an OpenAPI document the fuzzer reads: its paths, their operations and the schemas they name. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** A schema with every `$ref` to `#/components/schemas/…` replaced by the schema it names (no cycles here). */
function resolveRefs(schema: unknown, doc: OpenApiDocument): unknown {
  if (Array.isArray(schema)) return schema.map((s) => resolveRefs(s, doc));
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const named = doc.components?.schemas?.[ref.replace('#/components/schemas/', '')];
    if (!named) throw new Error(`unresolved $ref ${ref}`);
    return resolveRefs(named, doc);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolveRefs(v, doc)]));
}

/** One operation of the document, as the fuzzer needs it. */
export interface FuzzOperation {
  method: string;
  /** The path template, `/v1/cases/{pseId}/fines`. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; required: boolean; schema: JsonSchema }>;
  body: JsonSchema | undefined;
}

/** A request the fuzzer sends, with the operation it aims at (`POST /v1/cases/{pseId}/fines`). */
export interface FuzzRequest extends WireRequest {
  operation: string;
  /** What kind of input this is, for the report: `valid`, `hostile body`, `malformed JSON`… */
  shape: string;
}

/** What the fuzzer knows of the running server: existing ids to aim at and a key per caller. */
export interface FuzzPools {
  pseIds: string[];
  fineIds: string[];
  /** Authorization header values by caller name; callers without a value send none. */
  authorizations: Record<string, string | undefined>;
  bodyLimit: number;
}

/** Every operation of an OpenAPI document (path parameters read from the template as well). */
export function operationsOf(doc: OpenApiDocument): FuzzOperation[] {
  const out: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const fromTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: fromTemplate,
        query: (op.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => ({
            name: p.name,
            required: p.required === true,
            schema: (resolveRefs(p.schema, doc) as JsonSchema | undefined) ?? {},
          })),
        body: resolveRefs(op.requestBody?.content?.['application/json']?.schema, doc) as
          | JsonSchema
          | undefined,
      });
    }
  }
  return out;
}

const PSE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Instants between two dates, with offsets, sometimes with fractions. */
const instantBetween = (from: number, to: number) =>
  fc
    .record({
      ms: fc.integer({ min: from, max: to }),
      offset: fc.constantFrom('Z', '+07:00', '+00:00', '-05:00', '+14:00'),
      fraction: fc.boolean(),
    })
    .map(({ ms, offset, fraction }) => {
      // The wall-clock digits are kept whatever the offset: still a valid instant, only another one.
      const iso = new Date(ms).toISOString().replace(fraction ? /Z$/ : /\.\d{3}Z$/, '');
      return `${iso}${offset}`;
    });

/** Instants around the regulation's dates. */
const instant = instantBetween(Date.UTC(2019, 0, 1), Date.UTC(2030, 11, 31));
/**
 * Business times a well-behaved operator would record: after the 2022 registration deadline and
 * not after the fuzzed server's clock (2022-09-01), so commands reach the decider's rules.
 */
const recentInstant = instantBetween(Date.UTC(2022, 6, 20), Date.UTC(2022, 8, 1));

/** Host names a case may name: a registrable domain or a subdomain of one (never a public suffix alone). */
const hostname = fc
  .tuple(
    fc.option(fc.constantFrom('www', 'api', 'm', 'store'), { nil: undefined }),
    fc.stringMatching(/^[a-z0-9]{1,12}(?:-[a-z0-9]{1,12})?$/),
    fc.constantFrom('com', 'co.id', 'go.id', 'or.id', 'id', 'net', 'org', 'io', 'com.sg'),
  )
  .map(([sub, label, suffix]) => [sub, label, suffix].filter(Boolean).join('.'));

/** Dates that are valid ISO strings but absurd, or look like dates and are not. */
const hostileDate = fc.constantFrom(
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+14:00',
  '9999-12-31T23:59:59.999999999Z',
  '9999-12-31T23:59:59-12:00',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2022-02-29T00:00:00Z',
  '2024-02-29T00:00:00Z',
  '2022-13-01T00:00:00Z',
  '2022-07-20T24:00:00Z',
  '2022-07-20T23:59:60Z',
  '2022-07-20',
  '2022-07-20T23:59:59',
  '2022-07-20 23:59:59+07:00',
  '1970-01-01T00:00:00Z',
  '1658336399',
  'yesterday',
  '2022-07-20T23:59:59+25:00',
);

const specialStrings = fc.constantFrom(
  '',
  ' ',
  '   \t  ',
  '\u0000',
  '\u0000abc',
  '\n',
  '\r\n',
  '\u0007\u001b[31m',
  '\u202eevil',
  '\ufeffbom',
  '\ud800',
  '\udfff',
  '😀',
  '👨‍👩‍👧‍👦',
  'ｆｕｌｌｗｉｄｔｈ',
  'İstanbul',
  '..',
  '../../etc/passwd',
  '%00',
  '%',
  '%zz',
  "' OR 1=1 --",
  '"; DROP TABLE events; --',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '-0',
  '0',
  '1.5',
  '1e3',
  '1e309',
  '0x1F',
  '99999999999999999999999',
  '9007199254740993',
  'xn--80ak6aa92e.com',
  'пример.рф',
  'EXAMPLE.COM.',
  '*.example.com',
  'a'.repeat(129),
  'a'.repeat(254),
  '9'.repeat(400),
);

/** Strings meant to break something: unicode, control characters, injections, sizes at the limits. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: specialStrings, weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
  { arbitrary: hostileDate, weight: 2 },
  { arbitrary: fc.integer({ min: 1900, max: 20_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
);

const bigNumbers = fc.constantFrom(
  0,
  -0,
  -1,
  -1000,
  0.5,
  1.5,
  -0.000001,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 64,
  1e21,
  1e300,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
);

/** A JSON value of the wrong kind for almost any field. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 2 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: bigNumbers, weight: 3 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  { arbitrary: hostileString, weight: 6 },
  { arbitrary: fc.array(hostileString, { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.integer({ min: 2, max: 2000 }).map(nest), weight: 1 },
);

/** `depth` arrays inside one another around an object. */
function nest(depth: number): unknown {
  let value: unknown = { deep: true };
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Public IPv4 and IPv6 addresses, as `ipAddresses` fields require. */
const publicIpAddress = fc.oneof(
  fc
    .tuple(fc.integer({ min: 11, max: 99 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
    .map((o) => o.join('.')),
  fc.constantFrom('2606:4700::6810:85e5', '2001:4860:4860::8888'),
);

/** Google Play package names and App Store ids, as `appIds` fields require. */
const appStoreId = fc.oneof(
  fc
    .array(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { minLength: 2, maxLength: 4 })
    .map((parts) => parts.join('.')),
  fc.integer({ min: 100_000_000, max: 9_999_999_999 }).map((n) => `id${n}`),
);

/** A value that satisfies a schema (best effort: the fuzzer needs valid inputs to reach the deep code). */
export function validValue(schema: JsonSchema, name = ''): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => validValue(s, name)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date-time') return name === 'occurredAt' ? recentInstant : instant;
      if (schema.format === 'date') return instant.map((i) => i.slice(0, 10));
      if (schema.pattern && !schema.pattern.startsWith('^(?:(?:\\d\\d[2468]')) {
        return fc.stringMatching(new RegExp(schema.pattern));
      }
      if (/domain/i.test(name)) return hostname;
      // Public addresses only (the schema's refinement, which JSON Schema cannot state).
      if (/^ipAddress/i.test(name)) return publicIpAddress;
      if (/^appId/i.test(name)) return appStoreId;
      const minLength = schema.minLength ?? 0;
      return fc
        .string({ minLength: Math.max(minLength, 1), maxLength: Math.min(schema.maxLength ?? 60, 60) })
        .filter((s) => s.trim().length >= minLength);
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum === undefined ? -1000 : schema.minimum + (schema.exclusiveMinimum ? 1 : 0);
      const max = Math.min(schema.maximum ?? 1_000_000_000, Number.MAX_SAFE_INTEGER);
      return fc.oneof(fc.integer({ min, max: Math.min(max, min + 100_000_000) }), fc.constant(max));
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(schema.items ?? {}, name), {
        // A case with no domain must name an app id or IP (a cross-field rule JSON Schema cannot state):
        // valid values always name a domain.
        minLength: name === 'domains' ? Math.max(schema.minItems ?? 0, 1) : (schema.minItems ?? 0),
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(s, k)])), {
        requiredKeys: [...required].filter((k) => k in props),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

type Body = { value: unknown } | { text: string };

/** A body for an operation: valid, valid with one field spoiled, missing or extra fields, not an object. */
function bodyFor(schema: JsonSchema, bodyLimit: number): fc.Arbitrary<{ body: Body; shape: string }> {
  const valid = validValue(schema) as fc.Arbitrary<Record<string, unknown>>;
  const keys = Object.keys(schema.properties ?? {});
  const tag = (shape: string) => (body: Body) => ({ body, shape });
  return fc.oneof(
    { arbitrary: valid.map((value) => ({ value })).map(tag('valid body')), weight: 5 },
    {
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...(keys.length ? keys : ['x'])), hostileJson)
        .map(([v, k, bad]) => ({ value: { ...v, [k]: bad } }))
        .map(tag('one field hostile')),
      weight: 6,
    },
    {
      // A body schema with no named fields has none to leave out: its whole value goes instead.
      arbitrary: fc
        .tuple(valid, keys.length ? fc.subarray(keys, { minLength: 1 }) : fc.constant<string[]>([]))
        .map(([v, drop]) => ({
          value: keys.length ? Object.fromEntries(Object.entries(v).filter(([k]) => !drop.includes(k))) : {},
        }))
        .map(tag('fields missing')),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(valid, hostileString, hostileJson)
        .map(([v, k, x]) => ({ value: { ...v, [k || 'extra']: x } }))
        .map(tag('extra field')),
      weight: 1,
    },
    {
      arbitrary: fc
        .oneof(fc.constant(null), fc.constant([]), fc.jsonValue({ maxDepth: 2 }), hostileString)
        .map((value) => ({ value }))
        .map(tag('not an object')),
      weight: 1,
    },
    {
      arbitrary: fc
        .oneof(
          valid.map((v) => JSON.stringify(v).slice(0, -1)),
          valid.map((v) => `${JSON.stringify(v)}garbage`),
          valid.map((v) => `\ufeff${JSON.stringify(v)}`),
          valid.map((v) => JSON.stringify(v).replace(/"/g, "'")),
          fc.constantFrom(
            '',
            '{',
            '}',
            '{"a":}',
            '{"a" 1}',
            '[1,]',
            'NaN',
            '{"amountIdr": 1e400}',
            '{"amountIdr": -0}',
            '{"amountIdr": 123456789012345678901234567890}',
            '{"__proto__": {"admin": true}}',
            '{"constructor": {"prototype": {"admin": true}}}',
            '{"reason": "a", "reason": "b"}',
            '{"reason": "\\ud800"}',
            '{"reason": "\\u0000"}',
            '\u0000',
            'null',
            'true',
            '"string"',
          ),
          fc.integer({ min: 100, max: 30_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
          fc.integer({ min: 100, max: 15_000 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
        )
        .map((text) => ({ text }))
        .map(tag('malformed JSON')),
      weight: 2,
    },
    {
      arbitrary: fc
        .integer({ min: bodyLimit - 16, max: bodyLimit * 2 })
        .map((n) => ({ text: `{"reason":"${'x'.repeat(n)}"}` }))
        .map(tag('body near or over the limit')),
      weight: 1,
    },
  );
}

const contentTypes = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 20 },
  {
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'application/problem+json',
      'application/merge-patch+json',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/xml',
      'json',
      ';;;',
      '',
    ),
    weight: 3,
  },
);

const visibleAscii = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 60,
});
/** Header values node's HTTP client will still send: tab, visible ASCII and Latin-1. */
const latin1Header = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09))
    .map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

/** `arbitrary`'s value once in `oneIn` draws, else undefined (fc.option's `freq` is the other way round). */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: oneIn - 1 }, { arbitrary, weight: 1 });

function pathParam(name: string, pools: FuzzPools): fc.Arbitrary<string> {
  const pool = name === 'fineId' ? pools.fineIds : pools.pseIds;
  return fc.oneof(
    { arbitrary: fc.constantFrom(...pool), weight: 8 },
    { arbitrary: fc.stringMatching(PSE_ID), weight: 3 },
    { arbitrary: hostileString, weight: 3 },
  );
}

/**
 * A plausible value of a query parameter. The document gives most of them no type (they are
 * parsed by zod in the controller), so a parameter without one is guessed from its name.
 */
function plausibleQueryValue(name: string, schema: JsonSchema, pools: FuzzPools): fc.Arbitrary<string> {
  if (schema.type || schema.enum) return validValue(schema).map(String);
  if (/limit/i.test(name)) return fc.integer({ min: 1, max: 100 }).map(String);
  if (/after|position/i.test(name)) return fc.nat({ max: 50 }).map(String);
  if (/^(from|to)$/.test(name)) return instant.map((i) => i.slice(0, 10));
  if (/asOf|knownAt|until|before|deadline/i.test(name))
    return fc.oneof(
      instant,
      instant.map((i) => i.slice(0, 10)),
    );
  if (name === 'case') return fc.constantFrom(...pools.pseIds);
  return fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 });
}

function queryValue(name: string, schema: JsonSchema, pools: FuzzPools): fc.Arbitrary<string> {
  const valid = plausibleQueryValue(name, schema, pools);
  return fc.oneof(
    { arbitrary: valid, weight: 3 },
    { arbitrary: instant, weight: 1 },
    { arbitrary: hostileString, weight: 3 },
    { arbitrary: bigNumbers.map(String), weight: 1 },
  );
}

/** encodeURIComponent over the UTF-8 bytes, which also takes lone surrogates (as U+FFFD). */
const pct = (s: string): string =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Percent-encodes most of the time; sometimes sends the text as is or with broken escapes. */
const encodeArbitrary = fc.constantFrom<(s: string) => string>(
  pct,
  pct,
  pct,
  pct,
  (s) => pct(pct(s)),
  (s) => s,
  (s) => `${pct(s)}%E0%A4%A`,
  (s) => `${pct(s)}%zz`,
);

function queryString(op: FuzzOperation, pools: FuzzPools): fc.Arbitrary<string> {
  const declared = op.query.map((q) =>
    fc.option(fc.tuple(fc.constant(q.name), queryValue(q.name, q.schema, pools), encodeArbitrary), {
      nil: undefined,
      freq: q.required ? 6 : 2,
    }),
  );
  const extra = fc.array(fc.tuple(hostileString, hostileString, encodeArbitrary), { maxLength: 2 });
  return fc
    .tuple(
      fc.tuple(...declared),
      sometimes(extra, 8).map((e) => e ?? []),
      fc.boolean(),
    )
    .map(([d, e, duplicate]) => {
      const pairs = [...d.filter((x) => x !== undefined), ...e].map(([k, v, enc]) => `${enc(k)}=${enc(v)}`);
      if (duplicate && pairs.length > 0 && pairs.length < 2) pairs.push(pairs[0]);
      return pairs.length ? `?${pairs.join('&')}` : '';
    });
}

/**
 * Requests for one operation: its path parameters from the known ids, valid-looking or hostile;
 * its query and body from the document's schemas, valid or spoiled; every caller; odd headers.
 */
function requestsFor(op: FuzzOperation, pools: FuzzPools): fc.Arbitrary<FuzzRequest> {
  const callers = Object.keys(pools.authorizations);
  const body = op.body
    ? fc.option(bodyFor(op.body, pools.bodyLimit), { freq: 30, nil: undefined })
    : sometimes(bodyFor({ type: 'object', properties: { reason: { type: 'string' } } }, pools.bodyLimit), 20);
  return fc
    .record({
      caller: fc.oneof(
        { arbitrary: fc.constant('admin'), weight: 6 },
        { arbitrary: fc.constantFrom(...callers), weight: 4 },
      ),
      params: fc.tuple(...op.pathParams.map((p) => fc.tuple(pathParam(p, pools), encodeArbitrary))),
      query: queryString(op, pools),
      body,
      contentType: contentTypes,
      idempotencyKey: sometimes(fc.oneof(visibleAscii, latin1Header), 3),
      ifMatch: sometimes(
        fc.oneof(
          fc.nat({ max: 20 }).map((n) => `"${n}"`),
          fc.constantFrom('*', 'W/"1"', '"-1"', '"99999999999999999999"', '1e3', ''),
          latin1Header,
        ),
        4,
      ),
      correlationId: sometimes(latin1Header, 6),
      lastEventId: sometimes(fc.oneof(fc.nat().map(String), latin1Header), 6),
      method: fc.oneof(
        { arbitrary: fc.constant(op.method), weight: 40 },
        {
          arbitrary: fc.constantFrom(
            'PUT',
            'PATCH',
            'DELETE',
            'OPTIONS',
            op.method === 'GET' ? 'POST' : 'GET',
          ),
          weight: 1,
        },
      ),
      suffix: fc.oneof(
        { arbitrary: fc.constant(''), weight: 40 },
        { arbitrary: fc.constantFrom('/', '/x', '//', '/..', '/%2e%2e', '.json', '?'), weight: 1 },
      ),
      raw: fc.oneof(
        { arbitrary: fc.constant(false), weight: 19 },
        { arbitrary: fc.constant(true), weight: 1 },
      ),
    })
    .map((r) => {
      let target = op.path;
      op.pathParams.forEach((name, i) => {
        const [value, enc] = r.params[i];
        target = target.replace(`{${name}}`, enc(value));
      });
      target = `${target}${r.suffix}${r.query}`;
      const headers: Record<string, string> = {};
      const auth = pools.authorizations[r.caller];
      if (auth !== undefined) headers['authorization'] = auth;
      if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
      if (r.ifMatch !== undefined) headers['if-match'] = r.ifMatch;
      if (r.correlationId !== undefined) headers['x-correlation-id'] = r.correlationId;
      if (r.lastEventId !== undefined) headers['last-event-id'] = r.lastEventId;
      let payload: Buffer | undefined;
      if (r.body) {
        if (r.contentType !== '') headers['content-type'] = r.contentType;
        payload = Buffer.from(
          'text' in r.body.body ? r.body.body.text : (JSON.stringify(r.body.body.value) ?? ''),
        );
      }
      // Node's client refuses a target outside visible Latin-1: such a request goes over a bare socket.
      const raw = r.raw || /[^\u0021-\u00ff]/.test(target);
      return {
        operation: `${op.method} ${op.path}`,
        shape: [
          r.body?.shape ?? (op.body ? 'no body' : 'no body needed'),
          r.method !== op.method ? `as ${r.method}` : '',
          r.suffix ? 'odd path' : '',
          raw ? 'raw' : '',
        ]
          .filter(Boolean)
          .join(', '),
        method: r.method,
        target: raw ? Buffer.from(target, 'utf8').toString('latin1') : target,
        headers,
        body: payload,
        raw,
      };
    });
}

/**
 * Requests a well-behaved client would send: a key that may call everything, ids that exist,
 * declared query parameters with values of their type, a body valid by the schema. They reach the
 * deciding code, so the 2xx answers (and the refusals a valid request can meet: 404, 409, 412,
 * 422) are exercised between the hostile ones.
 */
function wellFormedFor(op: FuzzOperation, pools: FuzzPools): fc.Arbitrary<FuzzRequest> {
  const query = fc
    .tuple(
      ...op.query.map((q) =>
        fc.option(fc.tuple(fc.constant(q.name), plausibleQueryValue(q.name, q.schema, pools)), {
          nil: undefined,
          freq: q.required ? 100 : 2,
        }),
      ),
    )
    .map((pairs) => {
      const present = pairs.filter((p) => p !== undefined).map(([k, v]) => `${pct(k)}=${pct(v)}`);
      return present.length ? `?${present.join('&')}` : '';
    });
  const poolOf = (name: string) => (name === 'fineId' ? pools.fineIds : pools.pseIds);
  return fc
    .record({
      params: fc.tuple(...op.pathParams.map((p) => fc.constantFrom(...poolOf(p)))),
      query,
      body: op.body ? validValue(op.body).map((v) => Buffer.from(JSON.stringify(v))) : fc.constant(undefined),
      idempotencyKey: sometimes(visibleAscii, 3),
    })
    .map((r) => {
      let target = op.path;
      op.pathParams.forEach((name, i) => {
        target = target.replace(`{${name}}`, pct(r.params[i]));
      });
      const headers: Record<string, string> = { authorization: pools.authorizations['admin'] ?? '' };
      if (r.body) headers['content-type'] = 'application/json';
      if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
      return {
        operation: `${op.method} ${op.path}`,
        shape: 'well-formed',
        method: op.method,
        target: `${target}${r.query}`,
        headers,
        body: r.body,
      };
    });
}

/** Requests over every operation of the document, each operation about equally often; a third well-formed. */
export function requestArbitrary(ops: FuzzOperation[], pools: FuzzPools): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { arbitrary: fc.oneof(...ops.map((op) => wellFormedFor(op, pools))), weight: 1 },
    { arbitrary: fc.oneof(...ops.map((op) => requestsFor(op, pools))), weight: 2 },
  );
}

/**
 * What is wrong with an answer, or null — the properties every answer must have: no 5xx; a 4xx is
 * problem+json with a title, a detail and its own status, and leaves the log head where it was;
 * nothing but a POST moves the head.
 */
export function fuzzVerdict(
  res: WireResponse,
  headBefore: number,
  headAfter: number,
  method: string,
): string | null {
  if (res.status >= 500) return `answered ${res.status}`;
  if (res.status < 200) return `answered ${res.status}`;
  if (res.status >= 400) {
    if (!(res.headers['content-type'] ?? '').startsWith('application/problem+json')) {
      return `a ${res.status} that is not application/problem+json (${res.headers['content-type'] ?? 'no content type'})`;
    }
    let problem: { title?: unknown; detail?: unknown; status?: unknown };
    try {
      problem = JSON.parse(res.body) as typeof problem;
    } catch {
      return `a ${res.status} whose body is not JSON`;
    }
    if (typeof problem.title !== 'string' || problem.title.length === 0)
      return `a ${res.status} without a title`;
    if (typeof problem.detail !== 'string' || problem.detail.length === 0)
      return `a ${res.status} without a detail`;
    if (problem.status !== res.status)
      return `a ${res.status} whose problem says status ${String(problem.status)}`;
    if (headAfter !== headBefore)
      return `a ${res.status} that moved the log head from ${headBefore} to ${headAfter}`;
  }
  if (method !== 'POST' && headAfter !== headBefore) {
    return `a ${method} (${res.status}) that moved the log head from ${headBefore} to ${headAfter}`;
  }
  return null;
}
