import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useMemo, useState } from 'preact/hooks';
import { SanksiApi, type Role } from '../api/sanksi-api';

const KEY_ITEM = 'sanksi.apiKey';
const ROLE_ITEM = 'sanksi.role';

/** Who is signed in: the key (sessionStorage only: gone when the tab closes) and the role the API gave it. */
export interface Session {
  key: string | null;
  role: Role | null;
  actorId: string | null;
  api: SanksiApi;
  signIn(key: string, role: Role, actorId: string): void;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

/** What this role may do in the console: operators and admins act on cases; analysts and services read. */
export const mayIssueCommands = (role: Role | null): boolean => role === 'operator' || role === 'admin';
/** Case search and case pages are for those who may query cases (not services). */
export const mayReadCases = (role: Role | null): boolean => role !== null && role !== 'service';

/** Keeps the signed-in key for this browser tab. */
export function SessionProvider(props: { children: ComponentChildren }) {
  const [state, setState] = useState(() => ({
    key: sessionStorage.getItem(KEY_ITEM),
    role: sessionStorage.getItem(ROLE_ITEM) as Role | null,
    actorId: null as string | null,
  }));
  const signIn = useCallback((key: string, role: Role, actorId: string) => {
    sessionStorage.setItem(KEY_ITEM, key);
    sessionStorage.setItem(ROLE_ITEM, role);
    setState({ key, role, actorId });
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY_ITEM);
    sessionStorage.removeItem(ROLE_ITEM);
    setState({ key: null, role: null, actorId: null });
  }, []);
  const value = useMemo<Session>(
    () => ({ ...state, api: new SanksiApi(state.key), signIn, signOut }),
    [state, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

/** The signed-in session. */
export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
