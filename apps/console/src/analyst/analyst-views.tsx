// The four analyst views: the case population over time, fines and compliance, the blocklist, and
// what-if across the three policies. Each loads its stats from the API and shows ChartPanels.
import { useMemo, useState } from 'preact/hooks';
import { ErrorNote, Loading } from '../app/status';
import { useAsync } from '../app/use-async';
import { useSession } from '../auth/session';
import { formatDateTime, wibDate } from '../i18n/format';
import { AnalystApi, POLICIES, type Policy } from './analyst-api';
import { useAnalystText } from './analyst.messages';
import { ChartPanel } from './chart-panel';
import { RangeForm, type DateRange } from './range-form';
import {
  blocklistChart,
  blocklistTable,
  finesChart,
  finesTable,
  latestChangesTable,
  stateCountsChart,
  stateCountsTable,
  statesOverTimeChart,
  statesOverTimeTable,
  transitionsChart,
  transitionsTable,
  warningToRegistrationChart,
  warningToRegistrationTable,
  whatIfCountsChart,
  whatIfCountsTable,
  whatIfDifferingTable,
  type WhatIfByPolicy,
} from './series';

/** The regime's first month: the registration deadline of existing systems was 20 July 2022. */
export const DEFAULT_FROM = '2022-07-01';

const today = () => wibDate(new Date());

function useAnalystApi(): AnalystApi {
  const { key } = useSession();
  return useMemo(() => new AnalystApi(key), [key]);
}

/** Cases per state over time and on one date, and transitions per day. */
export function PopulationView() {
  const api = useAnalystApi();
  const { a } = useAnalystText();
  const [range, setRange] = useState<DateRange>({ from: DEFAULT_FROM, to: today() });
  const [asOf, setAsOf] = useState(today());
  const series = useAsync(() => api.statesDaily(range.from, range.to, range.knownAt), [api, range]);
  const transitions = useAsync(() => api.transitions(range.from, range.to), [api, range]);
  const onDate = useAsync(() => api.states(asOf, range.knownAt), [api, asOf, range.knownAt]);
  const statesTable = useMemo(() => series.data && statesOverTimeTable(series.data, a), [series.data, a]);
  const countsTable = useMemo(() => onDate.data && stateCountsTable(onDate.data, a), [onDate.data, a]);
  const moves = useMemo(
    () => transitions.data && transitionsTable(transitions.data, a),
    [transitions.data, a],
  );
  const span = [range.from, range.to];
  return (
    <>
      <RangeForm id="population" value={range} onChange={setRange} />
      {series.error ? (
        <ErrorNote error={series.error} onRetry={series.reload} />
      ) : !statesTable ? (
        <Loading />
      ) : (
        <ChartPanel
          id="states-over-time"
          title={a('an.statesOverTime')}
          table={statesTable}
          option={statesOverTimeChart(statesTable)}
          csvName="states-daily"
          range={span}
        />
      )}
      {onDate.error ? (
        <ErrorNote error={onDate.error} onRetry={onDate.reload} />
      ) : !countsTable ? (
        <Loading />
      ) : (
        <ChartPanel
          id="states-on-date"
          title={`${a('an.statesOn')}: ${asOf}`}
          table={countsTable}
          option={stateCountsChart(countsTable)}
          csvName="states"
          range={[asOf]}
        >
          <div class="range">
            <div>
              <label for="states-as-of">{a('an.asOf')}</label>
              <input
                id="states-as-of"
                type="date"
                value={asOf}
                onChange={(e) => e.currentTarget.value && setAsOf(e.currentTarget.value)}
              />
            </div>
          </div>
        </ChartPanel>
      )}
      {transitions.error ? (
        <ErrorNote error={transitions.error} onRetry={transitions.reload} />
      ) : !moves ? (
        <Loading />
      ) : (
        <ChartPanel
          id="transitions"
          title={a('an.transitions')}
          table={moves}
          option={transitionsChart(moves, range.from, range.to)}
          csvName="transitions"
          range={span}
        />
      )}
    </>
  );
}

/** Fines per month, and the time from warning to registration. */
export function FinesView() {
  const api = useAnalystApi();
  const { a, locale } = useAnalystText();
  const fines = useAsync(() => api.fines(), [api]);
  const w2r = useAsync(() => api.warningToRegistrationDays(), [api]);
  const finesRows = useMemo(() => fines.data && finesTable(fines.data.months, a), [fines.data, a]);
  const w2rRows = useMemo(() => w2r.data && warningToRegistrationTable(w2r.data, a), [w2r.data, a]);
  const days = (n: number | null) =>
    n === null
      ? '—'
      : new Intl.NumberFormat(locale === 'id' ? 'id-ID' : 'en-GB', { maximumFractionDigits: 1 }).format(n);
  return (
    <>
      {fines.error ? (
        <ErrorNote error={fines.error} onRetry={fines.reload} />
      ) : !finesRows ? (
        <Loading />
      ) : (
        <ChartPanel
          id="fines"
          title={a('an.finesPerMonth')}
          table={finesRows}
          option={finesChart(finesRows, a)}
          csvName="fines-monthly"
        />
      )}
      {w2r.error ? (
        <ErrorNote error={w2r.error} onRetry={w2r.reload} />
      ) : !w2r.data || !w2rRows ? (
        <Loading />
      ) : (
        <ChartPanel
          id="warning-to-registration"
          title={a('an.warningToRegistration')}
          table={w2rRows}
          option={warningToRegistrationChart(w2rRows, a)}
          csvName="warning-to-registration-days"
        >
          <p data-testid="w2r-summary">
            <strong>{w2r.data.registered}</strong> {a('an.w2rSummary')} <strong>{w2r.data.pending}</strong>.{' '}
            {a('an.median')} {days(w2r.data.medianDays)} {a('an.days')}, {a('an.average')}{' '}
            {days(w2r.data.averageDays)} {a('an.days')}.
          </p>
        </ChartPanel>
      )}
    </>
  );
}

/** The blocklist's size over time and its latest changes. */
export function BlocklistView() {
  const api = useAnalystApi();
  const { a, locale } = useAnalystText();
  const [range, setRange] = useState<DateRange>({ from: DEFAULT_FROM, to: today() });
  const series = useAsync(() => api.blocklistDaily(range.from, range.to, range.knownAt), [api, range]);
  const latest = useAsync(() => api.latestBlocklistChanges(50), [api]);
  const sizes = useMemo(() => series.data && blocklistTable(series.data, a), [series.data, a]);
  const changes = useMemo(
    () => latest.data && latestChangesTable(latest.data.changes, a, (at) => formatDateTime(at, locale)),
    [latest.data, a, locale],
  );
  return (
    <>
      <RangeForm id="blocklist" value={range} onChange={setRange} />
      {series.error ? (
        <ErrorNote error={series.error} onRetry={series.reload} />
      ) : !sizes ? (
        <Loading />
      ) : (
        <ChartPanel
          id="blocklist-size"
          title={a('an.blocklistSize')}
          table={sizes}
          option={blocklistChart(sizes, a)}
          csvName="blocklist-daily"
          range={[range.from, range.to]}
        />
      )}
      {latest.error ? (
        <ErrorNote error={latest.error} onRetry={latest.reload} />
      ) : !changes ? (
        <Loading />
      ) : (
        <ChartPanel
          id="blocklist-changes"
          title={a('an.latestChanges')}
          table={changes}
          csvName="blocklist-latest-changes"
        />
      )}
    </>
  );
}

/** What-if across the three policies: final states side by side, and the cases that end differently. */
export function WhatIfView() {
  const api = useAnalystApi();
  const { a } = useAnalystText();
  const [until, setUntil] = useState(today());
  const [answers, setAnswers] = useState<WhatIfByPolicy>({});
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = async () => {
    setRunning(true);
    setError(null);
    setAnswers({});
    // One policy after another: each replays the whole population on the server.
    try {
      for (const policy of POLICIES as readonly Policy[]) {
        const answer = await api.whatIf(policy, until, 200);
        setAnswers((prev) => ({ ...prev, [policy]: answer }));
      }
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setRunning(false);
    }
  };
  const got = Object.keys(answers).length > 0;
  const counts = useMemo(() => whatIfCountsTable(answers, a), [answers, a]);
  const differing = useMemo(() => whatIfDifferingTable(answers, a), [answers, a]);
  return (
    <>
      <p>{a('an.whatIfIntro')}</p>
      <form
        class="range"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <div>
          <label for="what-if-until">{a('an.until')}</label>
          <input
            id="what-if-until"
            type="date"
            required
            value={until}
            onInput={(e) => setUntil(e.currentTarget.value)}
          />
        </div>
        <button type="submit" disabled={running}>
          {a('an.run')}
        </button>
        {running && (
          <p role="status" class="muted small">
            {a('an.whatIfSlow')}
          </p>
        )}
      </form>
      {error && <ErrorNote error={error} onRetry={() => void run()} />}
      {got && (
        <>
          <ChartPanel
            id="what-if-counts"
            title={a('an.whatIfCounts')}
            table={counts}
            option={whatIfCountsChart(counts)}
            csvName="what-if-counts"
            range={[until]}
          />
          <ChartPanel
            id="what-if-differing"
            title={a('an.whatIfDiffering')}
            table={differing}
            csvName="what-if-differing"
            range={[until]}
          >
            <p class="muted small" data-testid="what-if-summary">
              {(POLICIES as readonly Policy[])
                .flatMap((p) => {
                  const answer = answers[p];
                  return answer
                    ? [`${p}: ${answer.reports.filter((r) => r.differs).length} / ${answer.differing}`]
                    : [];
                })
                .join(' · ')}{' '}
              {a('an.whatIfShown')}
            </p>
          </ChartPanel>
        </>
      )}
    </>
  );
}
