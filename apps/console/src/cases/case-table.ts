import type { CaseView } from '../api/sanksi-api';

/** The columns the case table can be sorted by. */
export type SortKey = 'pseId' | 'name' | 'state' | 'policy' | 'deadline' | 'updated' | 'outstanding';
export type SortDirection = 'ascending' | 'descending';

const value = (c: CaseView, key: SortKey): string | number => {
  switch (key) {
    case 'pseId':
      return c.pseId;
    case 'name':
      return c.name.toLocaleLowerCase('id');
    case 'state':
      return c.substate ? `${c.state}.${c.substate}` : c.state;
    case 'policy':
      return c.policy;
    case 'deadline':
      // no deadline sorts after every deadline
      return c.nextDeadline ? Date.parse(c.nextDeadline.dueAt) : Number.MAX_SAFE_INTEGER;
    case 'updated':
      return Date.parse(c.updatedAt);
    case 'outstanding':
      return c.fines.outstandingIdr;
    default: {
      const never: never = key;
      return never;
    }
  }
};

/** The cases sorted by one column (stable: equal values keep the API's order). */
export function sortCases(cases: readonly CaseView[], key: SortKey, direction: SortDirection): CaseView[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return cases
    .map((c, i) => ({ c, i }))
    .sort((a, b) => {
      const x = value(a.c, key);
      const y = value(b.c, key);
      if (x < y) return -sign;
      if (x > y) return sign;
      return a.i - b.i;
    })
    .map(({ c }) => c);
}

/** The search form's fields, as kept in the page's URL. */
export interface CaseFilters {
  state: string;
  policy: string;
  origin: string;
  q: string;
  deadlineBefore: string;
}

export const EMPTY_FILTERS: CaseFilters = { state: '', policy: '', origin: '', q: '', deadlineBefore: '' };

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
export function apiQuery(filters: CaseFilters): Record<string, string | undefined> {
  return {
    state: filters.state || undefined,
    policy: filters.policy || undefined,
    origin: filters.origin || undefined,
    q: filters.q.trim() || undefined,
    deadlineBefore: filters.deadlineBefore ? `${filters.deadlineBefore}T00:00:00+07:00` : undefined,
  };
}
