import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import type { Locale } from './format';
import { MESSAGES, type MessageKey } from './messages';

const STORAGE_KEY = 'sanksi.locale';

/** What a component needs to speak the chosen language. */
export interface I18n {
  locale: Locale;
  t: (key: MessageKey) => string;
  setLocale: (locale: Locale) => void;
}

const I18nContext = createContext<I18n | null>(null);

/** The language remembered for this browser (Indonesian unless English was chosen). */
export function initialLocale(storage: Pick<Storage, 'getItem'> | undefined): Locale {
  return storage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'id';
}

/** Provides the interface language; the choice is remembered in localStorage (it is not a secret). */
export function I18nProvider(props: { children: ComponentChildren; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(
    props.locale ?? initialLocale(typeof localStorage === 'undefined' ? undefined : localStorage),
  );
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // private mode: the choice lasts this page only
    }
  }, []);
  const value = useMemo<I18n>(
    () => ({ locale, setLocale, t: (key) => MESSAGES[locale][key] }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

/** The interface language and its words. */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
