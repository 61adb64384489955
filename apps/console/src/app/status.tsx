import { SanksiApiError } from '@sanksi/client';
import { useI18n } from '../i18n/i18n';

/** A loading line, announced politely to screen readers. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" class="muted">
      {t('app.loading')}
    </p>
  );
}

/** An error as the server worded it (title, detail, the reason of a refusal), with a retry when there is one. */
export function ErrorNote(props: { error: Error; onRetry?: () => void }) {
  const { t } = useI18n();
  const { error } = props;
  const problem = error instanceof SanksiApiError ? error : null;
  const reason = problem?.reason ?? null;
  return (
    <div role="alert" class="error">
      <strong>{problem ? `${problem.status} ${problem.title}` : error.name}</strong>
      <p>{reason ?? (problem ? problem.detail : error.message)}</p>
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}
