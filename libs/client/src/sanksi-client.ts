import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/openapi';
import { OPERATIONS } from './generated/operations';
import type { CallOptions, OperationId, PagedOperationId, PageItem, SuccessBody } from './operation-types';
import { paginate } from './paginate';
import { SanksiApiError, SanksiApiUnreachable } from './sanksi-api.errors';

/** How to reach the API. */
export interface SanksiClientOptions {
  /** The server's root, e.g. `https://sanksi.example` (no `/v1`). */
  baseUrl: string;
  /** The API key, sent as `Authorization: Bearer <key>`; omit for the public routes only. */
  apiKey?: string;
  /** A fetch of one's own (tests, a proxy); the global fetch (browser, Node 20) otherwise. */
  fetch?: (input: Request) => Promise<Response>;
  /** Headers sent with every request (a correlation id, say). */
  headers?: Record<string, string>;
}

/** A successful answer: the body and what its headers say. */
export interface Answer<T> {
  notModified: false;
  /** 200 or 201 (201: applied now; 200 on a command: an idempotent replay of the first outcome). */
  status: number;
  data: T;
  /** The case version as an ETag (`"3"`), when the answer has one. */
  etag?: string;
  /** Where the created resource is (201). */
  location?: string;
  /** An idempotent retry: the first outcome answered again, nothing appended (`Idempotent-Replay: true`). */
  replayed: boolean;
  headers: Headers;
}

/** The answer to a conditional GET whose view is unchanged (304). */
export interface NotModified {
  notModified: true;
  status: 304;
  etag?: string;
  headers: Headers;
}

/** The readiness report (`GET /health/ready`): `status` and one entry per check. */
export type ReadinessReport = components['schemas']['Readiness'];

/** `SanksiClient#readiness`: ready (200) or not (503), with the report either way. */
export interface Readiness {
  ready: boolean;
  status: 200 | 503;
  report: ReadinessReport;
}

type AnyRequest = (
  method: string,
  url: string,
  init: {
    params: { path?: unknown; query?: unknown };
    body?: unknown;
    headers: Record<string, string>;
    parseAs: 'text';
    signal?: AbortSignal;
  },
) => Promise<{ data?: string; error?: unknown; response: Response }>;

/** An If-Match value: a bare version (3 or "3") becomes the ETag `"3"`; anything else is sent as given. */
function ifMatchHeader(value: number | string): string {
  const text = String(value).trim();
  return /^\d+$/.test(text) ? `"${text}"` : text;
}

function parseBody(text: string | undefined, response: Response): unknown {
  if (!text) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function asProblem(body: unknown, response: Response): Record<string, unknown> {
  if (typeof body === 'object' && body !== null && !Array.isArray(body))
    return body as Record<string, unknown>;
  const text = typeof body === 'string' ? body.trim().slice(0, 300) : '';
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: text || response.statusText || `HTTP ${response.status}`,
  };
}

/**
 * A typed client of the Sanksi API over openapi-fetch: `call(operationId, …)` for any operation by its
 * operationId, `paginate` for the cursor-paged ones, and `http`, openapi-fetch's own typed client, for
 * everything else. Works in browsers and Node 20 (fetch only). Problems are thrown as `SanksiApiError`,
 * an unreachable server as `SanksiApiUnreachable`.
 */
export class SanksiClient {
  /** openapi-fetch's client over the generated `paths` (key and headers already set). */
  readonly http: Client<paths>;
  readonly baseUrl: string;

  constructor(options: SanksiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.http = createClient<paths>({
      baseUrl: this.baseUrl,
      fetch: options.fetch,
      headers: {
        ...options.headers,
        ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}),
      },
    });
  }

  /** Calls one operation; resolves to its answer (or `NotModified` for a conditional GET), throws its problem. */
  call<Id extends OperationId>(
    operationId: Id,
    options: CallOptions<Id> & { ifNoneMatch: string },
  ): Promise<Answer<SuccessBody<Id>> | NotModified>;
  call<Id extends OperationId>(
    operationId: Id,
    ...options: object extends CallOptions<Id> ? [CallOptions<Id>?] : [CallOptions<Id>]
  ): Promise<Answer<SuccessBody<Id>>>;
  async call<Id extends OperationId>(
    operationId: Id,
    options?: CallOptions<Id>,
  ): Promise<Answer<SuccessBody<Id>> | NotModified> {
    const operation = OPERATIONS[operationId];
    const opts = (options ?? {}) as CallOptions<OperationId> & {
      path?: unknown;
      query?: unknown;
      body?: unknown;
    };
    const headers: Record<string, string> = {};
    if (opts.idempotencyKey !== undefined) headers['Idempotency-Key'] = opts.idempotencyKey;
    if (opts.ifMatch !== undefined) headers['If-Match'] = ifMatchHeader(opts.ifMatch);
    if (opts.ifNoneMatch !== undefined) headers['If-None-Match'] = opts.ifNoneMatch;
    if (opts.prefer !== undefined) headers.Prefer = opts.prefer;
    let result: Awaited<ReturnType<AnyRequest>>;
    try {
      result = await (this.http.request as unknown as AnyRequest)(operation.method, operation.path, {
        params: { path: opts.path, query: opts.query },
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        headers,
        parseAs: 'text',
        signal: opts.signal,
      });
    } catch (cause) {
      throw new SanksiApiUnreachable(operationId, this.baseUrl, cause);
    }
    const { response } = result;
    const etag = response.headers.get('etag') ?? undefined;
    if (response.status === 304) return { notModified: true, status: 304, etag, headers: response.headers };
    if (!response.ok) {
      const body = typeof result.error === 'string' ? parseBody(result.error, response) : result.error;
      throw new SanksiApiError(
        operationId,
        response.status,
        asProblem(body, response),
        response.headers.get('retry-after'),
      );
    }
    return {
      notModified: false,
      status: response.status,
      data: parseBody(result.data, response) as SuccessBody<Id>,
      etag,
      location: response.headers.get('location') ?? undefined,
      replayed: response.headers.get('idempotent-replay') === 'true',
      headers: response.headers,
    };
  }

  /**
   * The server's readiness, answered both ways: `ready` on 200, not on 503 — the documented answer of a
   * process still catching up or with a store down, whose report names each check that is not `ok`. Only
   * other answers throw (`SanksiApiError`, `SanksiApiUnreachable`), as `call('getReadiness')` throws on 503.
   */
  async readiness(options: { signal?: AbortSignal } = {}): Promise<Readiness> {
    try {
      const answer = await this.call('getReadiness', options);
      return { ready: true, status: 200, report: answer.data };
    } catch (e) {
      const report = e instanceof SanksiApiError && e.status === 503 ? e.problem : null;
      if (report?.status === 'not-ready' && Array.isArray(report.checks))
        return { ready: false, status: 503, report: report as unknown as ReadinessReport };
      throw e;
    }
  }

  /** Every item of a cursor-paged operation (`listCases`, `listRegistry`, …), fetching page after page. */
  paginate<Id extends PagedOperationId>(
    operationId: Id,
    options: Omit<CallOptions<Id>, 'ifNoneMatch'> = {} as Omit<CallOptions<Id>, 'ifNoneMatch'>,
  ): AsyncGenerator<PageItem<Id>> {
    const base = options as CallOptions<PagedOperationId> & { query?: Record<string, unknown> };
    return paginate(async (cursor) => {
      const query = { ...base.query, ...(cursor === undefined ? {} : { cursor }) };
      const answer = await (this.call as (id: OperationId, o: unknown) => Promise<Answer<unknown>>)(
        operationId,
        {
          ...base,
          query,
        },
      );
      return answer.data as { items: PageItem<Id>[]; nextCursor?: string | null };
    });
  }
}

/** A client for the API at `options.baseUrl` with `options.apiKey`. */
export function createSanksiClient(options: SanksiClientOptions): SanksiClient {
  return new SanksiClient(options);
}
