import type { operations } from './generated/openapi';

/** The operationId of any operation of the API (`openCase`, `issueWarning`, `listCases`, …). */
export type OperationId = keyof operations;

type Operation<Id extends OperationId> = operations[Id];
type NoneGiven = [never];

/** The path parameters of an operation (`{ pseId }`), or `never` when it has none. */
export type PathParams<Id extends OperationId> = Operation<Id>['parameters'] extends { path: infer P }
  ? P
  : never;

/** The query parameters of an operation, or `never` when it takes none. */
export type QueryParams<Id extends OperationId> = Operation<Id>['parameters'] extends { query?: infer Q }
  ? [Q] extends NoneGiven
    ? never
    : NonNullable<Q>
  : never;

/** The JSON body of an operation, or `never` when it takes none. */
export type RequestBody<Id extends OperationId> =
  Operation<Id> extends {
    requestBody: { content: { 'application/json': infer B } };
  }
    ? B
    : Operation<Id> extends { requestBody?: { content: { 'application/json': infer B } } }
      ? B | undefined
      : never;

type Responses<Id extends OperationId> = Operation<Id>['responses'];
type JsonOf<R> = R extends { content: { 'application/json': infer A } } ? A : never;

/** What an operation answers on success (its 200 or 201 JSON). */
export type SuccessBody<Id extends OperationId> =
  | (Responses<Id> extends { 200: infer R } ? JsonOf<R> : never)
  | (Responses<Id> extends { 201: infer R } ? JsonOf<R> : never);

/** The operations whose answers are cursor-paged (`items` and `nextCursor`). */
export type PagedOperationId = {
  [Id in OperationId]: SuccessBody<Id> extends { items: unknown[]; nextCursor?: unknown } ? Id : never;
}[OperationId];

/** One item of a cursor-paged operation's answer. */
export type PageItem<Id extends PagedOperationId> =
  SuccessBody<Id> extends { items: (infer I)[] } ? I : never;

type Part<Key extends string, T> = [T] extends NoneGiven
  ? { [K in Key]?: undefined }
  : undefined extends T
    ? { [K in Key]?: T }
    : { [K in Key]: T };

/** What the client sends with one call: the operation's own parameters, plus the API's headers. */
export type CallOptions<Id extends OperationId> = Part<'path', PathParams<Id>> &
  Part<'query', QueryParams<Id> | undefined> &
  Part<'body', RequestBody<Id>> & {
    /** Makes a retry safe: the same key and command answer the first outcome again (no second append). */
    idempotencyKey?: string;
    /** The case version the command was decided on (3 or `"3"`): 412 `version-mismatch` when it moved on. */
    ifMatch?: number | string;
    /**
     * `Prefer` (RFC 7240): `return=representation` makes a command answer carry its appended events whole
     * (`CaseEvent`) instead of by reference (`AppendedEvent`, the default).
     */
    prefer?: 'return=representation' | 'return=minimal';
    /** The ETag of a view the caller holds: the call answers `{ notModified: true }` when it is unchanged. */
    ifNoneMatch?: string;
    /** Aborts the request (a time-out, a closed page). */
    signal?: AbortSignal;
  };
