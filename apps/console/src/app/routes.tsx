import type { JSX } from 'preact';
import type { Role } from '../api/sanksi-api';
import { AnalystPage } from '../analyst/analyst.page';
import { mayReadCases } from '../auth/session';
import { CasePage } from '../cases/case.page';
import { CaseSearchPage } from '../cases/case-search.page';
import { LiveFeedPage } from '../feed/live-feed.page';
import type { MessageKey } from '../i18n/messages';
import { EscalationQueuePage } from '../queue/escalation-queue.page';

/** One page of the console: its path pattern, who may open it, and its entry in the navigation. */
export interface ConsoleRoute {
  pattern: string;
  title: MessageKey;
  /** The path the navigation links to; pages without one (a case page) are reached by links. */
  nav?: string;
  allowed: (role: Role) => boolean;
  render: (params: Record<string, string>) => JSX.Element;
}

const anyRole = () => true;

/** Every page, in navigation order. The analyst pages add theirs here (src/analyst/). */
export const ROUTES: ConsoleRoute[] = [
  {
    pattern: '/cases',
    nav: '/cases',
    title: 'nav.cases',
    allowed: mayReadCases,
    render: () => <CaseSearchPage />,
  },
  {
    pattern: '/cases/:pseId',
    title: 'case.title',
    allowed: mayReadCases,
    render: (p) => <CasePage key={p.pseId} pseId={p.pseId} />,
  },
  {
    pattern: '/queue',
    nav: '/queue',
    title: 'nav.queue',
    allowed: mayReadCases,
    render: () => <EscalationQueuePage />,
  },
  { pattern: '/feed', nav: '/feed', title: 'nav.feed', allowed: anyRole, render: () => <LiveFeedPage /> },
  {
    pattern: '/analysis',
    nav: '/analysis',
    title: 'nav.analyst',
    allowed: mayReadCases,
    render: () => <AnalystPage />,
  },
  {
    pattern: '/analysis/:view',
    title: 'nav.analyst',
    allowed: mayReadCases,
    render: (p) => <AnalystPage view={p.view} />,
  },
];
