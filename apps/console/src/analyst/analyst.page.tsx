import type { JSX } from 'preact';
import { Link } from '../app/router';
import { useAnalystText, type AnalystKey } from './analyst.messages';
import { BlocklistView, FinesView, PopulationView, WhatIfView } from './analyst-views';
import './analyst.css';

/** One analyst page: its path segment, its title, what it shows. */
interface AnalystView {
  view: string;
  title: AnalystKey;
  render: () => JSX.Element;
}

/** The analyst pages, each at `/analysis/<view>`. */
export const ANALYST_VIEWS: readonly [AnalystView, ...AnalystView[]] = [
  { view: 'population', title: 'an.population', render: () => <PopulationView /> },
  { view: 'fines', title: 'an.fines', render: () => <FinesView /> },
  { view: 'blocklist', title: 'an.blocklist', render: () => <BlocklistView /> },
  { view: 'what-if', title: 'an.whatIf', render: () => <WhatIfView /> },
];

/** An analyst page: the sections' navigation and the chosen one (the population when none is named). */
export function AnalystPage(props: { view?: string }) {
  const { a } = useAnalystText();
  const current = ANALYST_VIEWS.find((v) => v.view === props.view) ?? ANALYST_VIEWS[0];
  return (
    <div class="analyst" key={current.view}>
      <h1>
        {a('an.title')}: {a(current.title)}
      </h1>
      <nav aria-label={a('an.sections')} class="subnav">
        <ul>
          {ANALYST_VIEWS.map((v) => (
            <li key={v.view}>
              <Link to={`/analysis/${v.view}`} aria-current={v === current ? 'page' : undefined}>
                {a(v.title)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {current.render()}
    </div>
  );
}
