// The one place the console speaks HTTP: JSON in and out, the API key as a bearer token, RFC 9457
// problems turned into ApiProblem errors the pages can show as they are.

/** A problem document the API answered with (401, 403, 404, 409, 412, 422...), its fields kept. */
export class ApiProblem extends Error {
  readonly code = 'API_PROBLEM';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fields: Record<string, unknown>,
  ) {
    super(`${status} ${title}: ${detail}`);
    this.name = 'ApiProblem';
  }
}

/** The server could not be reached or answered something that is not JSON. */
export class ApiUnreachable extends Error {
  readonly code = 'API_UNREACHABLE';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(
      `the API at ${url} could not be reached: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'ApiUnreachable';
  }
}

/** A query string from the defined, non-empty values only. */
export function queryString(query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** What one request sends besides its path. */
export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A JSON answer and the headers that came with it (ETag). */
export interface JsonAnswer<T> {
  status: number;
  body: T;
  etag: string | null;
}

/** Sends one request to the API on this origin with the key, and reads its JSON answer or problem. */
export async function requestJson<T>(
  key: string | null,
  path: string,
  options: RequestOptions = {},
  fetcher: typeof fetch = fetch,
): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetcher(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiUnreachable(path, e);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch (e) {
    throw new ApiUnreachable(path, e);
  }
  if (!response.ok) {
    const problem = (parsed ?? {}) as Record<string, unknown>;
    throw new ApiProblem(
      response.status,
      typeof problem.title === 'string' ? problem.title : response.statusText,
      typeof problem.detail === 'string' ? problem.detail : text.slice(0, 200),
      problem,
    );
  }
  return { status: response.status, body: parsed as T, etag: response.headers.get('etag') };
}
