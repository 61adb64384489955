import { useEffect, useState } from 'preact/hooks';
import type { Statechart } from '../api/sanksi-api';
import { ErrorNote, Loading } from '../app/status';
import { useI18n } from '../i18n/i18n';
import { layoutStatechart, type StatechartDrawing } from './statechart-layout';
import { takenTransitions, visitedStates, within, type PathStep } from './statechart-path';

/** The machine drawn as SVG: the current state lit, the states visited outlined, the path taken in bold. */
export function StatechartView(props: { chart: Statechart; current: string; path: readonly PathStep[] }) {
  const { t } = useI18n();
  const [drawing, setDrawing] = useState<StatechartDrawing | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let live = true;
    layoutStatechart(props.chart).then(
      (d) => live && setDrawing(d),
      (e: unknown) => live && setError(e instanceof Error ? e : new Error(String(e))),
    );
    return () => {
      live = false;
    };
  }, [props.chart]);
  if (error) return <ErrorNote error={error} />;
  if (!drawing) return <Loading />;
  const taken = takenTransitions(props.chart, props.path);
  const visited = visitedStates(props.path);
  const pathText = [props.path[0]?.from, ...props.path.map((s) => s.to)]
    .filter((s, i, all) => s !== undefined && s !== all[i - 1])
    .join(' → ');
  const pad = 4;
  return (
    <figure class="statechart" data-current={props.current}>
      <svg
        viewBox={`${-pad} ${-pad} ${drawing.width + 2 * pad} ${drawing.height + 2 * pad}`}
        role="img"
        aria-label={`${t('case.statechart')}: ${props.current}`}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#7b8794" />
          </marker>
          <marker
            id="arrow-taken"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="5"
            markerHeight="5"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#0b5cad" />
          </marker>
        </defs>
        {drawing.states.map((s) => (
          <g
            key={s.id}
            class={`node${s.compound ? ' compound' : ''}${visited.has(s.id) ? ' visited' : ''}${
              s.id === props.current || (!s.compound && within(props.current, s.id)) ? ' lit' : ''
            }`}
            data-state={s.id}
          >
            <rect x={s.x} y={s.y} width={s.width} height={s.height} rx={6} />
            <text
              x={s.x + (s.compound ? 8 : s.width / 2)}
              y={s.y + (s.compound ? 16 : s.height / 2 + 4)}
              text-anchor={s.compound ? 'start' : 'middle'}
            >
              {s.label}
            </text>
          </g>
        ))}
        {drawing.edges.map((e) => {
          const isTaken = e.transitions.some((i) => taken.has(i));
          return (
            <g key={e.id} class={`edge${isTaken ? ' taken' : ''}`} data-edge={e.id}>
              <title>{`${e.source} → ${e.target}: ${e.events.join(', ')}`}</title>
              <path
                d={e.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ')}
                marker-end={isTaken ? 'url(#arrow-taken)' : 'url(#arrow)'}
              />
            </g>
          );
        })}
      </svg>
      <figcaption>
        <p class="small muted">{t('case.statechartNote')}</p>
        <p class="small" data-testid="path-text">
          {pathText}
        </p>
      </figcaption>
    </figure>
  );
}
