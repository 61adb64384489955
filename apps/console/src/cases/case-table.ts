import type { CaseQuery, CaseSort } from '../api/sanksi-api';

/** The columns the case table can be sorted by. */
export type SortKey = 'pseId' | 'name' | 'state' | 'policy' | 'deadline' | 'updated' | 'outstanding';
export type SortDirection = 'ascending' | 'descending';

/** The server's order for each column of the table (`GET /v1/cases?sort=`; `-` reverses it). */
const COLUMN_SORTS: Record<SortKey, Exclude<CaseSort, 'traffic' | `-${string}`>> = {
  pseId: 'id',
  name: 'name',
  state: 'state',
  policy: 'policy',
  deadline: 'deadline',
  updated: 'updated',
  outstanding: 'outstanding',
};

/** How the table is ordered: by a column either way, or by traffic (largest first); null: the API's default. */
export type TableOrder = { key: SortKey; direction: SortDirection } | { key: 'traffic' } | null;

/** The `sort` parameter of an order (the same in the page's URL and the API query). */
export function sortParam(order: TableOrder): CaseSort | undefined {
  if (order === null) return undefined;
  if (order.key === 'traffic') return 'traffic';
  const column = COLUMN_SORTS[order.key];
  return order.direction === 'descending' ? `-${column}` : column;
}

/** The order a `sort` parameter names; anything else is no order. */
export function orderFrom(sort: string | null): TableOrder {
  if (sort === 'traffic') return { key: 'traffic' };
  if (!sort) return null;
  const descending = sort.startsWith('-');
  const column = descending ? sort.slice(1) : sort;
  const key = (Object.keys(COLUMN_SORTS) as SortKey[]).find((k) => COLUMN_SORTS[k] === column);
  return key ? { key, direction: descending ? 'descending' : 'ascending' } : null;
}

/** The next order when a column heading is pressed: ascending first, then the other way. */
export function toggled(order: TableOrder, key: SortKey): TableOrder {
  return order !== null && order.key === key && 'direction' in order
    ? { key, direction: order.direction === 'ascending' ? 'descending' : 'ascending' }
    : { key, direction: 'ascending' };
}

/** The search form's fields, as kept in the page's URL. */
export interface CaseFilters {
  state: string;
  policy: string;
  origin: string;
  q: string;
  deadlineBefore: string;
  /** The order (`sort` of the API, e.g. `-deadline` or `traffic`); empty: the API's default, by case id. */
  sort: string;
}

export const EMPTY_FILTERS: CaseFilters = {
  state: '',
  policy: '',
  origin: '',
  q: '',
  deadlineBefore: '',
  sort: '',
};

/** Filters read from a query string; unknown values are dropped. */
export function filtersFrom(search: URLSearchParams): CaseFilters {
  return {
    state: search.get('state') ?? '',
    policy: search.get('policy') ?? '',
    origin: search.get('origin') ?? '',
    q: search.get('q') ?? '',
    deadlineBefore: /^\d{4}-\d{2}-\d{2}$/.test(search.get('deadlineBefore') ?? '')
      ? (search.get('deadlineBefore') as string)
      : '',
    sort: sortParam(orderFrom(search.get('sort'))) ?? '',
  };
}

/** The filters as a query string for the page's URL (empty fields left out). */
export function filtersToSearch(filters: CaseFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The API query for the filters: a deadline date means "due before that day begins in WIB". */
export function apiQuery(filters: CaseFilters): CaseQuery {
  return {
    state: (filters.state || undefined) as CaseQuery['state'],
    policy: (filters.policy || undefined) as CaseQuery['policy'],
    origin: (filters.origin || undefined) as CaseQuery['origin'],
    q: filters.q.trim() || undefined,
    deadlineBefore: filters.deadlineBefore ? `${filters.deadlineBefore}T00:00:00+07:00` : undefined,
    sort: sortParam(orderFrom(filters.sort)),
  };
}
