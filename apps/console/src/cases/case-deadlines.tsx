import type { BusinessCalendar, Deadline } from '../api/sanksi-api';
import { formatDateTime } from '../i18n/format';
import { useI18n } from '../i18n/i18n';
import { countdown } from './working-days';

/** The case's pending deadlines, each with the working days left on the Indonesian calendar. */
export function CaseDeadlines(props: { deadlines: readonly Deadline[]; calendar: BusinessCalendar | null }) {
  const { t, locale } = useI18n();
  if (props.deadlines.length === 0) return <p>{t('case.noDeadlines')}</p>;
  return (
    <ul class="deadlines">
      {props.deadlines.map((d) => {
        const left = props.calendar ? countdown(d.dueAt, props.calendar) : null;
        return (
          <li key={`${d.kind}-${d.fineId ?? ''}-${d.dueAt}`} data-testid="deadline">
            <strong>{d.kind}</strong>
            {d.fineId ? ` (${d.fineId})` : ''} — {formatDateTime(d.dueAt, locale)}
            {left && (
              <div class={left.kind === 'overdue' ? 'overdue' : ''}>
                {left.kind === 'overdue'
                  ? t('case.overdue')
                  : `${left.workingDays} ${t('case.workingDaysLeft')}${left.beyondCalendar ? ' *' : ''}`}
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
