import type { ReplayStep } from '../api/sanksi-api';
import { formatDateTime, formatRupiah } from '../i18n/format';
import { useI18n } from '../i18n/i18n';
import { stateId } from '../statechart/statechart-path';

const NUMBER_FIELDS = [
  'letterNumber',
  'orderNumber',
  'decisionNumber',
  'registrationNumber',
  'reference',
] as const;

/** The letter, order, decision, certificate or payment numbers an event carries, and its amount. */
export function eventNumbers(data: Record<string, unknown>): string[] {
  const numbers = NUMBER_FIELDS.filter((f) => typeof data[f] === 'string').map((f) => String(data[f]));
  if (typeof data.amountIdr === 'number') numbers.push(formatRupiah(data.amountIdr));
  return numbers;
}

/** Every event of the case, oldest first: business and record time in WIB, actor, numbers, transition, hash link. */
export function CaseTimeline(props: {
  steps: readonly ReplayStep[];
  current: number;
  fresh: ReadonlySet<string>;
}) {
  const { t, locale } = useI18n();
  return (
    <div class="table-wrap" tabIndex={0} aria-label={t('case.timeline')}>
      <table class="timeline">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('tl.business')}</th>
            <th scope="col">{t('tl.recorded')}</th>
            <th scope="col">{t('tl.event')}</th>
            <th scope="col">{t('tl.actor')}</th>
            <th scope="col">{t('tl.numbers')}</th>
            <th scope="col">{t('tl.transition')}</th>
            <th scope="col">{t('tl.hash')}</th>
          </tr>
        </thead>
        <tbody>
          {props.steps.map((s) => (
            <tr
              key={s.event.eventId}
              class={`${s.index === props.current ? 'current' : ''} ${props.fresh.has(s.event.eventId) ? 'fresh' : ''}`}
              aria-current={s.index === props.current ? 'step' : undefined}
              data-event-type={s.event.type}
            >
              <td>{s.index + 1}</td>
              <td>{formatDateTime(s.event.occurredAt, locale)}</td>
              <td>{formatDateTime(s.event.recordedAt, locale)}</td>
              <td>
                <strong>{s.event.type}</strong>
              </td>
              <td>
                {s.event.actor.id}
                <div class="muted small">{s.event.actor.role}</div>
              </td>
              <td>{eventNumbers(s.event.data).join(', ') || '—'}</td>
              <td>
                {s.transition.from} → {stateId(s.stateAfter.state, s.stateAfter.substate)}
                <div class="muted small">{s.transition.reason}</div>
              </td>
              <td>
                <code title={`${s.event.prevHash ?? '∅'} → ${s.event.hash}`}>
                  {(s.event.prevHash ?? '∅').slice(0, 8)} → {s.event.hash.slice(0, 8)}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
