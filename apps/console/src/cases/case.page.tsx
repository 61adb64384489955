import { useI18n } from '../i18n/i18n';

/** One case: statechart, timeline, replay, as-of, deadlines, evidence and the next steps. */
export function CasePage(props: { pseId: string }) {
  const { t } = useI18n();
  return (
    <h1>
      {t('case.title')} {props.pseId}
    </h1>
  );
}
