import { useState } from 'preact/hooks';
import { Link } from '../app/router';
import { ErrorNote, Loading } from '../app/status';
import { useAsync } from '../app/use-async';
import { useSession } from '../auth/session';
import { StateBadge } from '../cases/state-label';
import { formatCount, formatDateTime } from '../i18n/format';
import { useI18n } from '../i18n/i18n';

/** Cases waiting for an operator after an elapsed deadline, in the order the API ranks them. */
export function EscalationQueuePage() {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const queue = useAsync(() => api.escalationQueue(cursor), [api, cursor]);
  return (
    <>
      <h1>{t('queue.title')}</h1>
      <p>{t('queue.intro')}</p>
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
                    {e.visits !== null ? formatCount(e.visits) : e.rank !== null ? `#${e.rank}` : '—'}
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
