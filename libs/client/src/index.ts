export {
  createSanksiClient,
  SanksiClient,
  type Answer,
  type NotModified,
  type Readiness,
  type ReadinessReport,
  type SanksiClientOptions,
} from './sanksi-client';
export { SanksiApiError, SanksiApiUnreachable, type InvalidField } from './sanksi-api.errors';
export { collect, paginate, type Page } from './paginate';
export type {
  CallOptions,
  OperationId,
  PagedOperationId,
  PageItem,
  PathParams,
  QueryParams,
  RequestBody,
  SuccessBody,
} from './operation-types';
export { OPERATIONS } from './generated/operations';
export type { components, operations, paths } from './generated/openapi';
