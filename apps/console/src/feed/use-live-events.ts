import { useEffect, useState } from 'preact/hooks';
import type { FeedEvent } from '../api/sanksi-api';
import { useSession } from '../auth/session';

/** The connection to the live feed, as shown to the user. */
export type FeedStatus = 'connecting' | 'connected' | 'disconnected';

/** Follows the live event stream while mounted, calling `onEvent` for each new event (from now on). */
export function useLiveEvents(onEvent: (event: FeedEvent) => void): FeedStatus {
  const { api } = useSession();
  const [status, setStatus] = useState<FeedStatus>('connecting');
  useEffect(() => {
    const abort = new AbortController();
    void api.streamEvents(onEvent, setStatus, abort.signal);
    return () => abort.abort();
    // the handler is read through a ref-like closure by design: a new one per render must not reconnect
  }, [api]);
  return status;
}
