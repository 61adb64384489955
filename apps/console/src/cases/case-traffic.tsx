import { ErrorNote, Loading } from '../app/status';
import { useAsync } from '../app/use-async';
import { useSession } from '../auth/session';
import { formatCount } from '../i18n/format';
import { useI18n } from '../i18n/i18n';
import { barHeights, trafficSeries } from './traffic-series';

const HEIGHT = 80;
const BAR = 28;
const GAP = 8;

/**
 * The case's traffic trend (`GET /v1/cases/{pseId}/traffic`): a small bar chart of visits per period, drawn as
 * SVG (an image to assistive technology), and its figures per domain in the table beneath it.
 */
export function CaseTraffic(props: { pseId: string }) {
  const { t } = useI18n();
  const { api } = useSession();
  const traffic = useAsync(() => api.caseTraffic(props.pseId), [api, props.pseId]);
  if (traffic.error) return <ErrorNote error={traffic.error} onRetry={traffic.reload} />;
  if (!traffic.data) return <Loading />;
  const points = traffic.data.points;
  if (points.length === 0) return <p>{t('case.trafficNone')}</p>;
  const bars = trafficSeries(points);
  const heights = barHeights(bars, HEIGHT);
  const width = bars.length * (BAR + GAP);
  const label = `${t('case.trafficChart')}: ${bars
    .map((b) => `${b.period} ${b.visits === null ? '—' : formatCount(b.visits)}`)
    .join(', ')}`;
  return (
    <>
      <svg
        class="traffic-chart"
        role="img"
        aria-label={label}
        width={width}
        height={HEIGHT + 20}
        viewBox={`0 0 ${width} ${HEIGHT + 20}`}
        data-testid="traffic-chart"
      >
        {bars.map((b, i) => (
          <g key={b.period}>
            <rect x={i * (BAR + GAP)} y={HEIGHT - (heights[i] ?? 0)} width={BAR} height={heights[i] ?? 0} />
            <text x={i * (BAR + GAP) + BAR / 2} y={HEIGHT + 14} text-anchor="middle">
              {b.period.slice(2, 7)}
            </text>
          </g>
        ))}
      </svg>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t('case.traffic')}>
        <table class="traffic">
          <thead>
            <tr>
              <th scope="col">{t('case.trafficPeriod')}</th>
              <th scope="col">{t('case.trafficDomain')}</th>
              <th scope="col">{t('case.trafficVisits')}</th>
              <th scope="col">{t('case.trafficRank')}</th>
              <th scope="col">{t('case.trafficSources')}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={`${p.period} ${p.domain}`}>
                <td>{p.period}</td>
                <td>{p.domain}</td>
                <td class="number">{p.visits === null ? '—' : formatCount(p.visits)}</td>
                <td class="number">{p.rank === null ? '—' : `#${p.rank}`}</td>
                <td>{p.sources.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The case's domains, app ids and IP addresses, from its summary (`GET /v1/cases/{pseId}`). */
export function CaseAddresses(props: { pseId: string; version: number }) {
  const { t } = useI18n();
  const { api } = useSession();
  const view = useAsync(() => api.caseView(props.pseId), [api, props.pseId, props.version]);
  if (view.error) return <ErrorNote error={view.error} onRetry={view.reload} />;
  if (!view.data) return <Loading />;
  const list = (items: readonly string[]) =>
    items.length === 0 ? <span class="muted">{t('case.none')}</span> : items.join(', ');
  return (
    <dl class="addresses" data-testid="case-addresses">
      <dt>{t('case.domains')}</dt>
      <dd>{list(view.data.domains)}</dd>
      <dt>{t('case.appIds')}</dt>
      <dd>{list(view.data.appIds)}</dd>
      <dt>{t('case.ipAddresses')}</dt>
      <dd>{list(view.data.ipAddresses)}</dd>
    </dl>
  );
}
