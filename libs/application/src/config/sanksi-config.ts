import path from 'node:path';
import { z } from 'zod';
import type { SqliteCheckpoints } from '@sanksi/event-store';
import { DEFAULT_CASE_HEAD_CAPACITY } from '../cases/case-head.cache';
import {
  DEFAULT_PROJECTION_YOUNG_MB,
  DEFAULT_REPLAY_YOUNG_MB,
  DEFAULT_SIMULATE_YOUNG_MB,
} from '../runtime/projection-heap';

const Port = z.coerce.number().int().min(1).max(65535);

/**
 * The worker's loops, in start order (stopped in reverse). Adding a loop: its name here and one
 * provider in apps/worker (docs/worker.md, "Adding a loop").
 */
export const WORKER_MODULES = [
  'projector',
  'relay',
  'scheduler',
  'oss-consumer',
  'traffic-consumer',
] as const;
const WORKER_LIST = new RegExp(`^(none|(${WORKER_MODULES.join('|')})(,(${WORKER_MODULES.join('|')}))*)$`);
/** Milliseconds, 0 (off) up to an hour. */
const TimeoutMs = z.coerce.number().int().min(0).max(3_600_000);

/**
 * Every setting Sanksi reads from the environment, in one place. Defaults make the embedded
 * mode (SQLite under ./data, no Kafka) work with nothing set.
 */
const EnvShape = z.object({
  PORT: Port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SANKSI_DATA_DIR: z.string().min(1).default('./data'),
  SANKSI_EVENT_STORE: z.enum(['sqlite', 'postgres', 'eventstoredb']).default('sqlite'),
  SANKSI_READ_MODELS: z.enum(['sqlite', 'postgres']).optional(),
  SANKSI_SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  SANKSI_SQLITE_CHECKPOINTS: z.enum(['thread', 'inline']).default('thread'),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  SANKSI_PG_CONNECT_TIMEOUT_MS: TimeoutMs.default(5_000),
  SANKSI_PG_STATEMENT_TIMEOUT_MS: TimeoutMs.default(30_000),
  SANKSI_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: TimeoutMs.default(60_000),
  SANKSI_PG_IDLE_TIMEOUT_MS: TimeoutMs.default(30_000),
  EVENTSTORE_URL: z
    .string()
    .regex(/^(esdb|kurrentdb)(\+discover)?:\/\//, 'must start with esdb:// or kurrentdb://')
    .optional(),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s:]+:\d+(,[^,\s:]+:\d+)*$/, 'must be host:port[,host:port...]')
    .optional(),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(6),
  SANKSI_CASE_EVENTS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be a Kafka topic name: letters, digits, . _ - (1-200)')
    .default('sanksi.case-events.v1'),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(16).default(1),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(16).optional(),
  KAFKA_SSL: z.enum(['true', 'false']).default('false'),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  SANKSI_OSS_PRODUCER_KEYS: z
    .string()
    .regex(
      /^[A-Za-z0-9._-]{1,64}:[^,\s]{32,}(,[A-Za-z0-9._-]{1,64}:[^,\s]{32,})*$/,
      'must be keyId:secret[,keyId:secret...] with key ids of letters, digits, . _ - and secrets of 32+ characters',
    )
    .optional(),
  SANKSI_OSS_SIGNATURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  SANKSI_API_KEYS: z
    .string()
    .regex(
      /^(operator|analyst|service|admin):[^,\s]{16,}(,(operator|analyst|service|admin):[^,\s]{16,})*$/,
      'must be role:key[,role:key...] with roles operator|analyst|service|admin and keys of 16+ characters',
    )
    .optional(),
  SANKSI_WORKER: z
    .string()
    .regex(WORKER_LIST, `must be none or a comma list of ${WORKER_MODULES.join(',')}`)
    .optional(),
  WORKER_PORT: z.union([z.literal('off'), Port]).optional(),
  SANKSI_DEFAULT_POLICY: z.enum(['mr5-literal', 'kominfo-2022', 'pp43-2023']).default('pp43-2023'),
  SANKSI_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(65_536),
  // POST /v1/traffic/observations only: 16 MiB is about 400,000 CSV rows; files beyond go through
  // `sanksi traffic import` or Kafka (a request body is held in memory whole).
  SANKSI_TRAFFIC_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(268_435_456).default(16_777_216),
  SANKSI_EVIDENCE_KEY: z.string().min(1).optional(),
  SANKSI_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SANKSI_READY_MAX_LAG: z.coerce.number().int().min(0).max(1_000_000_000).default(10_000),
  SANKSI_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  SANKSI_SSE_MAX_CLIENTS: z.coerce.number().int().min(1).max(100_000).default(200),
  SANKSI_SSE_MAX_CLIENTS_PER_KEY: z.coerce.number().int().min(1).max(100_000).default(10),
  SANKSI_CASE_HEAD_CAPACITY: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .default(DEFAULT_CASE_HEAD_CAPACITY),
  SANKSI_PROJECTOR_MODE: z.enum(['in-process', 'thread']).default('thread'),
  SANKSI_PROJECTION_YOUNG_MB: z.coerce.number().int().min(0).max(16_384).default(DEFAULT_PROJECTION_YOUNG_MB),
  SANKSI_REPLAY_YOUNG_MB: z.coerce.number().int().min(0).max(16_384).default(DEFAULT_REPLAY_YOUNG_MB),
  SANKSI_SIMULATE_YOUNG_MB: z.coerce.number().int().min(0).max(16_384).default(DEFAULT_SIMULATE_YOUNG_MB),
});
export const SanksiEnv = EnvShape.superRefine((env, ctx) => {
  const needsPg = env.SANKSI_EVENT_STORE === 'postgres' || env.SANKSI_READ_MODELS === 'postgres';
  if (needsPg && !env.DATABASE_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['DATABASE_URL'],
      message: 'is required when PostgreSQL is selected',
    });
  }
  const sasl = [env.KAFKA_SASL_MECHANISM, env.KAFKA_SASL_USERNAME, env.KAFKA_SASL_PASSWORD];
  if (sasl.some((v) => v !== undefined) && sasl.some((v) => v === undefined)) {
    for (const [name, value] of [
      ['KAFKA_SASL_MECHANISM', env.KAFKA_SASL_MECHANISM],
      ['KAFKA_SASL_USERNAME', env.KAFKA_SASL_USERNAME],
      ['KAFKA_SASL_PASSWORD', env.KAFKA_SASL_PASSWORD],
    ] as const) {
      if (value === undefined)
        ctx.addIssue({ code: 'custom', path: [name], message: 'is required when any KAFKA_SASL_* is set' });
    }
  }
  if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.KAFKA_SSL_CERT_FILE === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE'],
      message:
        'is required with the other of KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE (a client certificate and its key)',
    });
  }
  if (
    env.KAFKA_MIN_INSYNC_REPLICAS !== undefined &&
    env.KAFKA_MIN_INSYNC_REPLICAS > env.KAFKA_REPLICATION_FACTOR
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_MIN_INSYNC_REPLICAS'],
      message: 'must not exceed KAFKA_REPLICATION_FACTOR (no write could ever be acknowledged)',
    });
  }
  if (env.SANKSI_EVENT_STORE === 'eventstoredb' && !env.EVENTSTORE_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['EVENTSTORE_URL'],
      message: 'is required when SANKSI_EVENT_STORE=eventstoredb',
    });
  }
});
export type SanksiEnv = z.infer<typeof SanksiEnv>;

export type WorkerModule = (typeof WORKER_MODULES)[number];

/** The resolved configuration the rest of the application reads. */
export interface SanksiConfig {
  port: number;
  host: string;
  dataDir: string;
  eventStore:
    | { kind: 'sqlite'; file: string; synchronous: 'NORMAL' | 'FULL'; checkpoints: SqliteCheckpoints }
    | { kind: 'postgres'; connectionString: string }
    | { kind: 'eventstoredb'; connectionString: string };
  readModels: { kind: 'sqlite'; file: string } | { kind: 'postgres'; connectionString: string };
  /** Timeouts of every PostgreSQL pool (docs/operations.md, "PostgreSQL timeouts"); ms, 0 = off. */
  postgres: { connectMs: number; statementMs: number; idleInTransactionMs: number; idleMs: number };
  kafka: {
    brokers: string[];
    partitions: number;
    /** Replicas of each topic Sanksi creates, and `min.insync.replicas` (3/2 on a cluster, 1/1 on one broker). */
    replicationFactor: number;
    minInsyncReplicas: number;
    /** The topic the relay publishes case events to (default `sanksi.case-events.v1`). */
    caseEventsTopic: string;
    /** TLS to the brokers; file paths of PEM files (read when a client is made), all optional. */
    ssl: { caFile?: string; certFile?: string; keyFile?: string } | null;
    /** SASL credentials; the password must never be logged. */
    sasl: {
      mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      username: string;
      password: string;
    } | null;
  } | null;
  /** OSS producers allowed to write `oss.registrations.v1`: HMAC keys by key id (docs/decisions/0005). */
  ossProducerKeys: Array<{ keyId: string; secret: string }>;
  /** How far a signature's timestamp may be from the broker's append time, in seconds. */
  ossSignatureWindowSeconds: number;
  apiKeys: Array<{ role: 'operator' | 'analyst' | 'service' | 'admin'; key: string }> | null;
  worker: WorkerModule[];
  /**
   * The worker's own HTTP port (`/health/*`, `/metrics`): a number, `off`, or null when unset — the
   * standalone worker then listens on 3001 and `sanksi serve` opens none (its API serves them).
   */
  workerPort: number | 'off' | null;
  maxBodyBytes: number;
  /** Body limit of `POST /v1/traffic/observations`, which takes bulk CSV and JSON (the others: `maxBodyBytes`). */
  trafficMaxBodyBytes: number;
  /** The policy version new cases open under unless the command names one. */
  defaultPolicy: 'mr5-literal' | 'kominfo-2022' | 'pp43-2023';
  evidenceKeyFile: string;
  /**
   * Whether `SANKSI_EVIDENCE_KEY` named the key file. A named file must exist (a new key would sign packs
   * that no verifier trusts); only the data directory's default key is made on first use.
   */
  evidenceKeyConfigured: boolean;
  logLevel: SanksiEnv['SANKSI_LOG_LEVEL'];
  /** `/health/ready` answers 503 once the projector is more than this many global positions behind. */
  readyMaxLag: number;
  /** How long `serve` and the worker may take to stop on SIGTERM before they exit anyway (non-zero). */
  shutdownTimeoutMs: number;
  /** Server-sent-event streams open at once: in total, and per API key. */
  sse: { maxClients: number; maxClientsPerKey: number };
  /**
   * Case heads the command path keeps per process (`CaseHeadCache`, about 1.4 KB each) so a command on a
   * recently used case is decided without reading its stream; 0 reads every case from the store.
   */
  caseHeadCapacity: number;
  /**
   * Where the worker's projector runs: on the process's event loop, or in a worker thread of its own
   * with its own store connections, off the loop that answers requests (decision 0012).
   */
  projectorMode: 'in-process' | 'thread';
  /**
   * The young generation, in MiB, of the threads that project in batches (the projector thread, a rebuild's
   * and a simulation's thread); 0 leaves V8's default (`youngGenerationLimits`).
   */
  projectionYoungMb: number;
  /** The young generation, in MiB, of `verify`'s and `what-if`'s replay threads; 0 leaves V8's default. */
  replayYoungMb: number;
  /** The young generation, in MiB, of `simulate`'s threads (they run the command path); 0 leaves V8's default. */
  simulateYoungMb: number;
}

/** Raised when the environment holds a bad value; names every offending variable. */
export class ConfigurationInvalid extends Error {
  readonly code = 'CONFIGURATION_INVALID';
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
  }
}

/** Validates the environment and resolves it into a `SanksiConfig`; throws `ConfigurationInvalid`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SanksiConfig {
  const known = Object.fromEntries(
    Object.keys(EnvShape.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])),
  );
  const parsed = SanksiEnv.safeParse(known);
  if (!parsed.success) {
    throw new ConfigurationInvalid(
      parsed.error.issues.map((i) => ({
        variable: String(i.path[0] ?? 'environment'),
        // The rule, never the value: it may be a key or a URL with a password (issue 11, finding 5).
        message: i.message,
      })),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.SANKSI_DATA_DIR);
  const eventStore: SanksiConfig['eventStore'] =
    e.SANKSI_EVENT_STORE === 'postgres'
      ? { kind: 'postgres', connectionString: e.DATABASE_URL as string }
      : e.SANKSI_EVENT_STORE === 'eventstoredb'
        ? { kind: 'eventstoredb', connectionString: e.EVENTSTORE_URL as string }
        : {
            kind: 'sqlite',
            file: path.join(dataDir, 'events.db'),
            synchronous: e.SANKSI_SQLITE_SYNCHRONOUS,
            checkpoints: e.SANKSI_SQLITE_CHECKPOINTS,
          };
  const readModelKind =
    e.SANKSI_READ_MODELS ??
    (e.SANKSI_EVENT_STORE === 'sqlite' ? 'sqlite' : e.DATABASE_URL ? 'postgres' : 'sqlite');
  const readModels: SanksiConfig['readModels'] =
    readModelKind === 'postgres'
      ? { kind: 'postgres', connectionString: e.DATABASE_URL as string }
      : { kind: 'sqlite', file: path.join(dataDir, 'read-models.db') };
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    eventStore,
    readModels,
    postgres: {
      connectMs: e.SANKSI_PG_CONNECT_TIMEOUT_MS,
      statementMs: e.SANKSI_PG_STATEMENT_TIMEOUT_MS,
      idleInTransactionMs: e.SANKSI_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      idleMs: e.SANKSI_PG_IDLE_TIMEOUT_MS,
    },
    kafka: e.KAFKA_BROKERS
      ? {
          brokers: e.KAFKA_BROKERS.split(','),
          partitions: e.KAFKA_PARTITIONS,
          replicationFactor: e.KAFKA_REPLICATION_FACTOR,
          minInsyncReplicas: e.KAFKA_MIN_INSYNC_REPLICAS ?? Math.min(2, e.KAFKA_REPLICATION_FACTOR),
          caseEventsTopic: e.SANKSI_CASE_EVENTS_TOPIC,
          ssl:
            e.KAFKA_SSL === 'true' || e.KAFKA_SSL_CA_FILE || e.KAFKA_SSL_CERT_FILE
              ? {
                  ...(e.KAFKA_SSL_CA_FILE ? { caFile: path.resolve(e.KAFKA_SSL_CA_FILE) } : {}),
                  ...(e.KAFKA_SSL_CERT_FILE ? { certFile: path.resolve(e.KAFKA_SSL_CERT_FILE) } : {}),
                  ...(e.KAFKA_SSL_KEY_FILE ? { keyFile: path.resolve(e.KAFKA_SSL_KEY_FILE) } : {}),
                }
              : null,
          sasl:
            e.KAFKA_SASL_MECHANISM && e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_PASSWORD
              ? {
                  mechanism: e.KAFKA_SASL_MECHANISM,
                  username: e.KAFKA_SASL_USERNAME,
                  password: e.KAFKA_SASL_PASSWORD,
                }
              : null,
        }
      : null,
    ossProducerKeys: e.SANKSI_OSS_PRODUCER_KEYS
      ? e.SANKSI_OSS_PRODUCER_KEYS.split(',').map((pair) => {
          const i = pair.indexOf(':');
          return { keyId: pair.slice(0, i), secret: pair.slice(i + 1) };
        })
      : [],
    ossSignatureWindowSeconds: e.SANKSI_OSS_SIGNATURE_WINDOW_SECONDS,
    apiKeys: e.SANKSI_API_KEYS
      ? e.SANKSI_API_KEYS.split(',').map((pair) => {
          const i = pair.indexOf(':');
          return { role: pair.slice(0, i) as 'operator', key: pair.slice(i + 1) };
        })
      : null,
    worker:
      e.SANKSI_WORKER === 'none'
        ? []
        : e.SANKSI_WORKER
          ? (e.SANKSI_WORKER.split(',') as WorkerModule[])
          : ([
              'projector',
              'scheduler',
              ...(e.KAFKA_BROKERS ? (['relay', 'oss-consumer', 'traffic-consumer'] as const) : []),
            ] as WorkerModule[]),
    workerPort: e.WORKER_PORT ?? null,
    maxBodyBytes: e.SANKSI_MAX_BODY_BYTES,
    trafficMaxBodyBytes: e.SANKSI_TRAFFIC_MAX_BODY_BYTES,
    defaultPolicy: e.SANKSI_DEFAULT_POLICY,
    evidenceKeyFile: e.SANKSI_EVIDENCE_KEY ?? path.join(dataDir, 'evidence-signing-key.pem'),
    evidenceKeyConfigured: e.SANKSI_EVIDENCE_KEY !== undefined,
    logLevel: e.SANKSI_LOG_LEVEL,
    readyMaxLag: e.SANKSI_READY_MAX_LAG,
    shutdownTimeoutMs: e.SANKSI_SHUTDOWN_TIMEOUT_MS,
    sse: { maxClients: e.SANKSI_SSE_MAX_CLIENTS, maxClientsPerKey: e.SANKSI_SSE_MAX_CLIENTS_PER_KEY },
    caseHeadCapacity: e.SANKSI_CASE_HEAD_CAPACITY,
    projectorMode: e.SANKSI_PROJECTOR_MODE,
    projectionYoungMb: e.SANKSI_PROJECTION_YOUNG_MB,
    replayYoungMb: e.SANKSI_REPLAY_YOUNG_MB,
    simulateYoungMb: e.SANKSI_SIMULATE_YOUNG_MB,
  };
}
