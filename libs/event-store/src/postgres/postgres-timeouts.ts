import type { PoolConfig } from 'pg';

/**
 * Timeouts of a PostgreSQL pool (docs/operations.md, "PostgreSQL timeouts"). 0 turns one off.
 * Without them a dead server or a stuck session holds a request (and the append lock) indefinitely.
 */
export interface PostgresTimeouts {
  /** Longest wait for a new connection, TCP and authentication included (pg `connectionTimeoutMillis`). */
  connectMs?: number;
  /** Server-side `statement_timeout`: a statement running longer is cancelled and rolled back. */
  statementMs?: number;
  /** Server-side `idle_in_transaction_session_timeout`: a session idle inside a transaction is ended. */
  idleInTransactionMs?: number;
  /** How long an unused pooled connection stays open (pg `idleTimeoutMillis`). */
  idleMs?: number;
}

/** The defaults: fail a connect in 5 s, a statement after 30 s, a forgotten transaction after 60 s. */
export const DEFAULT_POSTGRES_TIMEOUTS: Readonly<Required<PostgresTimeouts>> = Object.freeze({
  connectMs: 5_000,
  statementMs: 30_000,
  idleInTransactionMs: 60_000,
  idleMs: 30_000,
});

/** The pg `Pool` settings for `timeouts` (defaults filled in), TCP keep-alive on. */
export function postgresPoolTimeouts(
  timeouts: PostgresTimeouts = {},
): Pick<
  PoolConfig,
  | 'connectionTimeoutMillis'
  | 'idleTimeoutMillis'
  | 'statement_timeout'
  | 'idle_in_transaction_session_timeout'
  | 'keepAlive'
> {
  const t = { ...DEFAULT_POSTGRES_TIMEOUTS, ...definedOnly(timeouts) };
  return {
    connectionTimeoutMillis: t.connectMs,
    idleTimeoutMillis: t.idleMs,
    // pg sends these as startup parameters; 0 means none (PostgreSQL's own default).
    statement_timeout: t.statementMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    // A server that vanished without a FIN (host down, network cut) is noticed by the kernel.
    keepAlive: true,
  };
}

/** What a pool's `error` event (an idle connection dropped by the server) may log: code and message, never the URL. */
export function describePoolError(error: unknown): { code: string | undefined; reason: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    code: typeof code === 'string' ? code : undefined,
    reason: error instanceof Error ? error.message : String(error),
  };
}

function definedOnly(timeouts: PostgresTimeouts): PostgresTimeouts {
  return Object.fromEntries(Object.entries(timeouts).filter(([, v]) => v !== undefined));
}
