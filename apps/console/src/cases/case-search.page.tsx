import { useEffect, useState } from 'preact/hooks';
import { CASE_STATES, POLICIES, type CaseView } from '../api/sanksi-api';
import { Link, navigate, useLocation } from '../app/router';
import { ErrorNote, Loading } from '../app/status';
import { useAsync } from '../app/use-async';
import { useSession } from '../auth/session';
import { formatCount, formatDateTime, formatRupiah } from '../i18n/format';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import {
  apiQuery,
  EMPTY_FILTERS,
  filtersFrom,
  filtersToSearch,
  orderFrom,
  sortParam,
  toggled,
  type CaseFilters,
  type SortKey,
} from './case-table';
import { StateBadge } from './state-label';

const PAGE_SIZE = 25;

const COLUMNS: Array<{ key: SortKey; label: MessageKey }> = [
  { key: 'pseId', label: 'col.pseId' },
  { key: 'name', label: 'col.name' },
  { key: 'state', label: 'col.state' },
  { key: 'policy', label: 'col.policy' },
  { key: 'deadline', label: 'col.deadline' },
  { key: 'outstanding', label: 'col.outstanding' },
  { key: 'updated', label: 'col.updated' },
];

function StateCounts() {
  const { t } = useI18n();
  const { api } = useSession();
  const counts = useAsync(() => api.stateCounts(), [api]);
  if (counts.error) return <ErrorNote error={counts.error} onRetry={counts.reload} />;
  if (!counts.data) return <Loading />;
  return (
    <section aria-labelledby="counts-title" class="counts">
      <h2 id="counts-title">{t('search.countsTitle')}</h2>
      <ul>
        {CASE_STATES.map((s) => (
          <li key={s}>
            <Link to={`/cases?state=${s}`}>
              <StateBadge state={s} /> <span class="count">{formatCount(counts.data?.counts[s] ?? 0)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Case search: filters and order in the URL, one page of the summary table at a time sorted by the server, with counts per state. */
export function CaseSearchPage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const { search } = useLocation();
  const applied = filtersFrom(search);
  const [draft, setDraft] = useState<CaseFilters>(applied);
  const [cursors, setCursors] = useState<string[]>([]);
  const searchText = search.toString();
  useEffect(() => {
    setDraft(filtersFrom(new URLSearchParams(searchText)));
    setCursors([]);
  }, [searchText]);
  const cursor = cursors[cursors.length - 1];
  const key = `${filtersToSearch(applied)}|${cursor ?? ''}`;
  const page = useAsync(() => api.cases({ ...apiQuery(applied), limit: PAGE_SIZE, cursor }), [api, key]);

  const submit = (e: Event) => {
    e.preventDefault();
    setCursors([]);
    navigate(`/cases${filtersToSearch(draft)}`);
  };
  const field = (name: keyof CaseFilters) => ({
    id: `filter-${name}`,
    name,
    value: draft[name],
    onInput: (e: Event) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value }),
  });
  const shown: CaseView[] = page.data?.items ?? [];
  const order = orderFrom(applied.sort || null);
  // A new order is a new search: the server sorts every page, so paging starts again from the first.
  const toggleSort = (k: SortKey) =>
    navigate(`/cases${filtersToSearch({ ...applied, sort: sortParam(toggled(order, k)) ?? '' })}`);
  const ariaSort = (k: SortKey) =>
    order !== null && order.key === k && 'direction' in order ? order.direction : undefined;

  return (
    <>
      <h1>{t('search.title')}</h1>
      <div class="search-layout">
        <form class="filters" role="search" aria-label={t('search.filters')} onSubmit={submit}>
          <div class="field">
            <label for="filter-q">{t('search.text')}</label>
            <input type="search" {...field('q')} />
          </div>
          <div class="field">
            <label for="filter-state">{t('search.state')}</label>
            <select {...field('state')}>
              <option value="">{t('search.any')}</option>
              {CASE_STATES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="filter-policy">{t('search.policy')}</label>
            <select {...field('policy')}>
              <option value="">{t('search.any')}</option>
              {POLICIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="filter-origin">{t('search.origin')}</label>
            <select {...field('origin')}>
              <option value="">{t('search.any')}</option>
              <option value="domestic">{t('search.origin.domestic')}</option>
              <option value="foreign">{t('search.origin.foreign')}</option>
            </select>
          </div>
          <div class="field">
            <label for="filter-deadlineBefore">{t('search.deadlineBefore')}</label>
            <input type="date" {...field('deadlineBefore')} />
          </div>
          <div class="field">
            <label for="filter-sort">{t('search.order')}</label>
            <select {...field('sort')}>
              {draft.sort && draft.sort !== 'traffic' ? (
                <option value={draft.sort}>{t('search.order.default')}</option>
              ) : (
                <option value="">{t('search.order.default')}</option>
              )}
              <option value="traffic">{t('search.order.traffic')}</option>
            </select>
          </div>
          <div class="buttons">
            <button type="submit">{t('search.submit')}</button>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setDraft(EMPTY_FILTERS);
                setCursors([]);
                navigate('/cases');
              }}
            >
              {t('search.reset')}
            </button>
          </div>
        </form>
        <StateCounts />
      </div>
      <section aria-labelledby="results-title">
        <h2 id="results-title">{t('search.results')}</h2>
        {page.error && <ErrorNote error={page.error} onRetry={page.reload} />}
        {page.loading && !page.data && <Loading />}
        {page.data && shown.length === 0 && <p>{t('search.none')}</p>}
        {shown.length > 0 && (
          <div class="table-wrap">
            <table class="cases">
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th key={c.key} scope="col" aria-sort={ariaSort(c.key)}>
                      <button type="button" class="sort" onClick={() => toggleSort(c.key)}>
                        {t(c.label)}
                        <span aria-hidden="true">
                          {ariaSort(c.key) ? (ariaSort(c.key) === 'ascending' ? ' ▲' : ' ▼') : ' ↕'}
                        </span>
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((c) => (
                  <tr key={c.pseId}>
                    <td>
                      <Link to={`/cases/${encodeURIComponent(c.pseId)}`}>{c.pseId}</Link>
                    </td>
                    <td>
                      {c.name}
                      <div class="muted small">{c.domains.slice(0, 3).join(', ')}</div>
                    </td>
                    <td>
                      <StateBadge state={c.state} substate={c.substate} />
                    </td>
                    <td>{c.policy}</td>
                    <td>
                      {c.nextDeadline ? (
                        <>
                          {formatDateTime(c.nextDeadline.dueAt, locale)}
                          <div class="muted small">{c.nextDeadline.kind}</div>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td class="number">{formatRupiah(c.fines.outstandingIdr)}</td>
                    <td>{formatDateTime(c.updatedAt, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav class="pager" aria-label={t('search.page')}>
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            {t('search.previous')}
          </button>
          <span>
            {t('search.page')} {cursors.length + 1}
          </span>
          <button
            type="button"
            disabled={!page.data?.nextCursor}
            onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
          >
            {t('search.next')}
          </button>
        </nav>
      </section>
    </>
  );
}
