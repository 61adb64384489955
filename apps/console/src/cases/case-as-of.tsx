import { useState } from 'preact/hooks';
import type { CaseAsOf } from '../api/sanksi-api';
import { ErrorNote } from '../app/status';
import { useSession } from '../auth/session';
import { formatDateTime } from '../i18n/format';
import { useI18n } from '../i18n/i18n';
import { wibInstant } from './command-forms';
import { StateBadge } from './state-label';

/** The case as it stood on a business date, as known at a record time (both axes of the log). */
export function CaseAsOfPicker(props: { pseId: string; onResult: (result: CaseAsOf | null) => void }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [asOf, setAsOf] = useState('');
  const [knownAt, setKnownAt] = useState('');
  const [result, setResult] = useState<CaseAsOf | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const show = async (e: Event) => {
    e.preventDefault();
    if (!asOf) return;
    setError(null);
    try {
      const answer = await api.stateAsOf(props.pseId, asOf, knownAt ? wibInstant(knownAt) : undefined);
      setResult(answer);
      props.onResult(answer);
    } catch (caught) {
      setError(caught as Error);
    }
  };
  const clear = () => {
    setResult(null);
    setAsOf('');
    setKnownAt('');
    props.onResult(null);
  };
  return (
    <div class="as-of">
      <form onSubmit={show}>
        <div>
          <label for="as-of-date">{t('case.asOfDate')}</label>
          <input
            id="as-of-date"
            type="date"
            required
            value={asOf}
            onInput={(e) => setAsOf((e.target as HTMLInputElement).value)}
          />
        </div>
        <div>
          <label for="as-of-known">{t('case.knownAt')}</label>
          <input
            id="as-of-known"
            type="datetime-local"
            value={knownAt}
            onInput={(e) => setKnownAt((e.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit">{t('case.asOfShow')}</button>
        {result && (
          <button type="button" class="secondary" onClick={clear}>
            {t('case.asOfClear')}
          </button>
        )}
      </form>
      {error && <ErrorNote error={error} />}
      {result && (
        <p role="status" data-testid="as-of-result">
          {t('case.asOfResult')} ({formatDateTime(result.asOf, locale)}
          {result.knownAt
            ? `; ${t('case.knownAt').replace(/ \(.*\)$/, '')} ${formatDateTime(result.knownAt, locale)}`
            : ''}
          ):{' '}
          {result.state === null ? (
            t('case.asOfAbsent')
          ) : (
            <StateBadge state={result.state} substate={result.substate} />
          )}
          {result.state !== null && ` — ${t('case.version')} ${result.version}`}
        </p>
      )}
    </div>
  );
}
