import { useEffect, useRef } from 'preact/hooks';
import { SignInPage } from '../auth/sign-in.page';
import { SessionProvider, useSession } from '../auth/session';
import { I18nProvider, useI18n } from '../i18n/i18n';
import { Link, matchRoute, navigate, useLocation } from './router';
import { ROUTES } from './routes';

function LanguageToggle() {
  const { locale, setLocale, t } = useI18n();
  return (
    <div class="language" role="group" aria-label={t('app.language')}>
      {(['id', 'en'] as const).map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={locale === l} onClick={() => setLocale(l)}>
          {l === 'id' ? 'Bahasa Indonesia' : 'English'}
        </button>
      ))}
    </div>
  );
}

function Shell() {
  const { t } = useI18n();
  const session = useSession();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const matched = ROUTES.map((route) => ({ route, params: matchRoute(route.pattern, path) })).find(
    (m) => m.params !== null,
  );
  const allowed = matched && session.role !== null && matched.route.allowed(session.role);
  const title = matched ? t(matched.route.title) : t('app.notFound');

  useEffect(() => {
    document.title = `${title} — Sanksi`;
  }, [title]);
  // After moving to another page, keyboard and screen-reader users start at its content.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);
  useEffect(() => {
    if (session.key && path === '/') navigate('/cases');
  }, [session.key, path]);

  return (
    <>
      <a class="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo">{t('app.title')}</span>
          <span class="subtitle">{t('app.subtitle')}</span>
        </div>
        {session.key && (
          <nav aria-label={t('nav.label')}>
            <ul>
              {ROUTES.filter((r) => r.nav && session.role !== null && r.allowed(session.role)).map((r) => (
                <li key={r.pattern}>
                  <Link
                    to={r.nav as string}
                    aria-current={path.startsWith(r.nav as string) ? 'page' : undefined}
                  >
                    {t(r.title)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="session">
          <LanguageToggle />
          {session.key && (
            <>
              <span class="role" data-testid="role">
                {t('app.signedInAs')} <strong>{session.role ? t(`role.${session.role}`) : '?'}</strong>
              </span>
              <button type="button" onClick={() => session.signOut()}>
                {t('app.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        {!session.key ? (
          <SignInPage onSignedIn={() => path === '/' && navigate('/cases')} />
        ) : !matched ? (
          <h1>{t('app.notFound')}</h1>
        ) : !allowed ? (
          <h1>{t('app.notAllowed')}</h1>
        ) : (
          matched.route.render(matched.params as Record<string, string>)
        )}
      </main>
    </>
  );
}

/** The console: language, session, and the page the path names. */
export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </I18nProvider>
  );
}
