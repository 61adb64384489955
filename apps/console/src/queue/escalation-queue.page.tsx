import { useEffect, useState } from 'preact/hooks';
import type { QueueOrder } from '../api/sanksi-api';
import { Link, navigate, useLocation } from '../app/router';
import { ErrorNote, Loading } from '../app/status';
import { useAsync } from '../app/use-async';
import { useSession } from '../auth/session';
import { StateBadge } from '../cases/state-label';
import { formatCount, formatDateTime } from '../i18n/format';
import { useI18n } from '../i18n/i18n';

/** The queue's order as the page's URL names it (`?order=oldest`); by traffic otherwise, as the API ranks it. */
const orderFrom = (search: URLSearchParams): QueueOrder =>
  search.get('order') === 'oldest' ? 'oldest' : 'traffic';

/** Cases waiting for an operator after an elapsed deadline, by traffic or oldest first, with their traffic. */
export function EscalationQueuePage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const { search } = useLocation();
  const order = orderFrom(search);
  const [cursors, setCursors] = useState<string[]>([]);
  useEffect(() => setCursors([]), [order]);
  const cursor = cursors[cursors.length - 1];
  const queue = useAsync(() => api.escalationQueue(order, cursor), [api, order, cursor]);
  return (
    <>
      <h1>{t('queue.title')}</h1>
      <p>{t('queue.intro')}</p>
      <div class="field queue-order">
        <label for="queue-order">{t('queue.order')}</label>
        <select
          id="queue-order"
          value={order}
          onChange={(e) => {
            const next = (e.target as HTMLSelectElement).value;
            navigate(next === 'oldest' ? '/queue?order=oldest' : '/queue');
          }}
        >
          <option value="traffic">{t('queue.order.traffic')}</option>
          <option value="oldest">{t('queue.order.oldest')}</option>
        </select>
      </div>
      {queue.error && <ErrorNote error={queue.error} onRetry={queue.reload} />}
      {queue.loading && !queue.data && <Loading />}
      {queue.data && queue.data.entries.length === 0 && <p>{t('queue.empty')}</p>}
      {queue.data && queue.data.entries.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('col.pseId')}</th>
                <th scope="col">{t('col.name')}</th>
                <th scope="col">{t('col.state')}</th>
                <th scope="col">{t('queue.since')}</th>
                <th scope="col">{t('queue.traffic')}</th>
                <th scope="col">{t('queue.allowed')}</th>
              </tr>
            </thead>
            <tbody>
              {queue.data.entries.map((e) => (
                <tr key={e.pseId}>
                  <td>
                    <Link to={`/cases/${encodeURIComponent(e.pseId)}`}>{e.pseId}</Link>
                  </td>
                  <td>{e.name}</td>
                  <td>
                    <StateBadge state={e.state} substate={e.substate} />
                  </td>
                  <td>{formatDateTime(e.since, locale)}</td>
                  <td class="number">
                    {e.visits === null && e.rank === null ? (
                      '—'
                    ) : (
                      <>
                        {e.visits !== null && `${formatCount(e.visits)} ${t('queue.visits')}`}
                        {e.rank !== null && <div class="muted small">{`${t('queue.rank')} #${e.rank}`}</div>}
                      </>
                    )}
                  </td>
                  <td>{e.allowed.join(', ')}</td>
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
        <button
          type="button"
          disabled={!queue.data?.nextCursor}
          onClick={() => queue.data?.nextCursor && setCursors([...cursors, queue.data.nextCursor])}
        >
          {t('search.next')}
        </button>
      </nav>
    </>
  );
}
