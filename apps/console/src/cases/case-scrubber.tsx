import type { ReplayStep } from '../api/sanksi-api';
import { formatDateTime } from '../i18n/format';
import { useI18n } from '../i18n/i18n';

/** Replays the case event by event: a slider and buttons over the steps; the chosen step lights the chart. */
export function CaseScrubber(props: {
  steps: readonly ReplayStep[];
  value: number;
  onChange: (index: number) => void;
}) {
  const { t, locale } = useI18n();
  const last = props.steps.length - 1;
  const step = props.steps[props.value];
  const go = (i: number) => props.onChange(Math.max(0, Math.min(last, i)));
  return (
    <div class="scrubber">
      <button type="button" class="secondary" onClick={() => go(0)} disabled={props.value === 0}>
        {t('case.replayFirst')}
      </button>
      <button
        type="button"
        class="secondary"
        onClick={() => go(props.value - 1)}
        disabled={props.value === 0}
      >
        {t('case.replayPrevious')}
      </button>
      <label for="replay-step" class="visually-hidden">
        {t('case.replayStep')}
      </label>
      <input
        id="replay-step"
        type="range"
        min={0}
        max={last}
        step={1}
        value={props.value}
        aria-valuetext={
          step
            ? `${t('case.replayStep')} ${props.value + 1} ${t('case.replayOf')} ${last + 1}: ${step.event.type}`
            : ''
        }
        onInput={(e) => go(Number((e.target as HTMLInputElement).value))}
      />
      <button
        type="button"
        class="secondary"
        onClick={() => go(props.value + 1)}
        disabled={props.value === last}
      >
        {t('case.replayNext')}
      </button>
      <button type="button" class="secondary" onClick={() => go(last)} disabled={props.value === last}>
        {t('case.replayLast')}
      </button>
      <p role="status" data-testid="replay-status">
        {t('case.replayStep')} {props.value + 1} {t('case.replayOf')} {last + 1}
        {step ? ` — ${step.event.type}, ${formatDateTime(step.event.occurredAt, locale)}` : ''}
      </p>
    </div>
  );
}
