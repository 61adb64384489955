import { useState } from 'preact/hooks';
import type { FeedEvent } from '../api/sanksi-api';
import { Link } from '../app/router';
import { mayReadCases, useSession } from '../auth/session';
import { formatDateTime } from '../i18n/format';
import { useI18n } from '../i18n/i18n';
import { useLiveEvents } from './use-live-events';

const KEEP = 200;

/** New events of every case as they are recorded, newest first. */
export function LiveFeedPage() {
  const { t, locale } = useI18n();
  const { role } = useSession();
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const status = useLiveEvents((event) => setEvents((list) => [event, ...list].slice(0, KEEP)));
  return (
    <>
      <h1>{t('feed.title')}</h1>
      <p>{t('feed.intro')}</p>
      <p role="status" class={`feed-status ${status}`} data-testid="feed-status">
        {t(`feed.${status}`)}
      </p>
      {events.length === 0 ? (
        <p>{t('feed.empty')}</p>
      ) : (
        <ol class="feed" aria-live="polite">
          {events.map((e) => (
            <li key={e.position}>
              <span class="muted">#{e.position}</span> <strong>{e.type}</strong>{' '}
              {mayReadCases(role) ? (
                <Link to={`/cases/${encodeURIComponent(e.pseId)}`}>{e.pseId}</Link>
              ) : (
                e.pseId
              )}{' '}
              <span class="muted">{formatDateTime(e.occurredAt, locale)}</span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
