import { useState } from 'preact/hooks';
import { SanksiApiError } from '@sanksi/client';
import { SanksiApi } from '../api/sanksi-api';
import { ErrorNote } from '../app/status';
import { useI18n } from '../i18n/i18n';
import { useSession } from './session';

/** Sign-in with an API key: the API says which role it has, and the console shows what that role may do. */
export function SignInPage(props: { onSignedIn?: () => void }) {
  const { t } = useI18n();
  const session = useSession();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(null);
    try {
      const me = await new SanksiApi(trimmed).whoami();
      session.signIn(trimmed, me.role, me.id);
      props.onSignedIn?.();
    } catch (caught) {
      setError(
        caught instanceof SanksiApiError && caught.status === 401
          ? new SanksiApiError('whoAmI', 401, { title: t('signIn.failed'), detail: t('signIn.unknownKey') })
          : (caught as Error),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      <p>{t('signIn.intro')}</p>
      <form onSubmit={submit}>
        <label for="api-key">{t('signIn.key')}</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? t('signIn.checking') : t('signIn.submit')}
        </button>
      </form>
      {error && <ErrorNote error={error} />}
    </section>
  );
}
