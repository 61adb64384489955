import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaseAsOf, FeedEvent } from '../api/sanksi-api';
import { ErrorNote, Loading } from '../app/status';
import { useAsync } from '../app/use-async';
import { useSession } from '../auth/session';
import { useLiveEvents } from '../feed/use-live-events';
import { formatDateTime, formatRupiah } from '../i18n/format';
import { useI18n } from '../i18n/i18n';
import { StatechartView } from '../statechart/statechart-view';
import { stateId } from '../statechart/statechart-path';
import { CaseActions } from './case-actions';
import { CaseAsOfPicker } from './case-as-of';
import { CaseDeadlines } from './case-deadlines';
import { CaseEvidence } from './case-evidence';
import { CaseScrubber } from './case-scrubber';
import { CaseTimeline } from './case-timeline';
import { CaseAddresses, CaseTraffic } from './case-traffic';
import { StateBadge } from './state-label';

/** One case: statechart, timeline, replay, addresses, traffic, as-of, deadlines, evidence and the next steps, updated live. */
export function CasePage(props: { pseId: string }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const chart = useAsync(() => api.statechart(), [api]);
  const calendar = useAsync(() => api.calendar(), [api]);
  const history = useAsync(() => api.replay(props.pseId), [api, props.pseId]);
  const [scrub, setScrub] = useState<number | null>(null);
  const [asOf, setAsOf] = useState<CaseAsOf | null>(null);
  const [live, setLive] = useState(true);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const liveRef = useRef(live);
  liveRef.current = live;
  const seen = useRef<Set<string> | null>(null);

  const feed = useLiveEvents((event: FeedEvent) => {
    if (event.pseId === props.pseId && liveRef.current) history.reload();
  });

  const steps = history.data?.steps ?? [];
  useEffect(() => {
    if (!history.data) return;
    const ids = history.data.steps.map((s) => s.event.eventId);
    if (seen.current) setFresh(new Set(ids.filter((id) => !seen.current?.has(id))));
    seen.current = new Set(ids);
  }, [history.data]);

  if (history.error) return <ErrorNote error={history.error} onRetry={history.reload} />;
  if (chart.error) return <ErrorNote error={chart.error} onRetry={chart.reload} />;
  if (!history.data || !chart.data) return <Loading />;
  if (steps.length === 0) return <ErrorNote error={new Error(`no events for ${props.pseId}`)} />;

  const latest = steps[steps.length - 1];
  const index = scrub === null ? steps.length - 1 : Math.min(scrub, steps.length - 1);
  const shown = steps[index];
  const path = steps.slice(0, index + 1).map((s) => ({
    from: s.transition.from,
    to: stateId(s.stateAfter.state, s.stateAfter.substate),
    eventType: s.event.type,
  }));
  const lit = asOf
    ? stateId(asOf.state, asOf.substate)
    : stateId(shown.stateAfter.state, shown.stateAfter.substate);
  const current = stateId(latest.stateAfter.state, latest.stateAfter.substate);
  const after = latest.stateAfter;
  const deadlines = after.deadlines ?? (after.nextDeadline ? [after.nextDeadline] : []);
  const fineIds = deadlines
    .filter((d) => d.kind === 'finePayment' && d.fineId)
    .map((d) => d.fineId as string);
  const name = (after as { name?: string }).name ?? props.pseId;

  return (
    <>
      <div class="case-head">
        <h1>
          {t('case.title')}: {name} <span class="muted">({props.pseId})</span>
        </h1>
        <StateBadge state={after.state} substate={after.substate} />
        <span data-testid="case-version">
          {t('case.version')} {steps.length}
        </span>
        <label class="small">
          <input
            type="checkbox"
            checked={live}
            onChange={(e) => setLive((e.target as HTMLInputElement).checked)}
          />{' '}
          {t('case.live')} <span class="muted">({t(`feed.${feed}`)})</span>
        </label>
      </div>
      <div class="case-chart">
        <section class="panel" aria-labelledby="chart-title">
          <h2 id="chart-title">{t('case.statechart')}</h2>
          <StatechartView chart={chart.data} current={lit} path={asOf ? [] : path} />
        </section>
        <section class="panel" aria-labelledby="replay-title">
          <h2 id="replay-title">{t('case.replay')}</h2>
          <CaseScrubber
            steps={steps}
            value={index}
            onChange={(i) => setScrub(i === steps.length - 1 ? null : i)}
          />
        </section>
      </div>
      <div class="case-grid">
        <div>
          <section class="panel" aria-labelledby="summary-title">
            <h2 id="summary-title">{t('case.summary')}</h2>
            <dl class="facts">
              <dt>{t('col.state')}</dt>
              <dd>
                <StateBadge state={after.state} substate={after.substate} />
              </dd>
              <dt>{t('case.since')}</dt>
              <dd>{formatDateTime(after.since, locale)}</dd>
              <dt>{t('case.onBlocklist')}</dt>
              <dd>{after.onBlocklist ? t('case.yes') : t('case.no')}</dd>
              <dt>{t('col.policy')}</dt>
              <dd>{latest.event.policyVersion}</dd>
              {after.fines && (
                <>
                  <dt>{t('case.fines')}</dt>
                  <dd>
                    {formatRupiah(after.fines.imposedIdr)} / {t('col.outstanding').toLowerCase()}{' '}
                    {formatRupiah(after.fines.outstandingIdr)}
                  </dd>
                </>
              )}
            </dl>
          </section>
          <section class="panel" aria-labelledby="addresses-title">
            <h2 id="addresses-title">{t('case.addresses')}</h2>
            <CaseAddresses pseId={props.pseId} version={steps.length} />
          </section>
          <section class="panel" aria-labelledby="traffic-title">
            <h2 id="traffic-title">{t('case.traffic')}</h2>
            <CaseTraffic pseId={props.pseId} />
          </section>
          <section class="panel" aria-labelledby="as-of-title">
            <h2 id="as-of-title">{t('case.asOf')}</h2>
            <CaseAsOfPicker pseId={props.pseId} onResult={setAsOf} />
          </section>
          <section class="panel" aria-labelledby="deadlines-title">
            <h2 id="deadlines-title">{t('case.deadlines')}</h2>
            <CaseDeadlines deadlines={deadlines} calendar={calendar.data} />
          </section>
        </div>
        <div>
          <section class="panel" aria-labelledby="actions-title">
            <h2 id="actions-title">{t('case.actions')}</h2>
            <CaseActions
              pseId={props.pseId}
              chart={chart.data}
              current={current}
              version={steps.length}
              fineIds={fineIds}
              onDone={history.reload}
            />
          </section>
          <section class="panel" aria-labelledby="evidence-title">
            <h2 id="evidence-title">{t('case.evidence')}</h2>
            <CaseEvidence pseId={props.pseId} />
          </section>
        </div>
      </div>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t('case.timeline')}</h2>
        <CaseTimeline steps={steps} current={index} fresh={fresh} />
      </section>
    </>
  );
}
