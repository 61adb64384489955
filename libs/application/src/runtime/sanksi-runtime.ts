import { createEventStore, type EventStore } from '@sanksi/event-store';
import { createReadModelStore, Projector, type ReadModelStore } from '@sanksi/read-models';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { SanksiConfig } from '../config/sanksi-config';
import { CaseCommandService } from '../cases/case-command.service';
import { CaseHistoryService } from '../cases/case-history.service';
import { type Clock, type IdGenerator, systemClock } from '../cases/clock';
import { configuredEvidencePublicKey, loadOrCreateSigningKey } from '../evidence/evidence-pack';
import { TrafficIngestService } from '../traffic/traffic-ingest.service';
import { SanksiMetrics } from '../metrics/sanksi-metrics';
import { timedAppends } from '../metrics/timed-appends';
import { ProjectorThread } from './projector-thread';
import { createSanksiLogger } from './sanksi-logger';

/** Everything a process of Sanksi works with, wired once from the configuration. */
export interface SanksiRuntime {
  readonly config: SanksiConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  readonly commands: CaseCommandService;
  readonly history: CaseHistoryService;
  /** Projects the log into the read models (started by the worker; `runOnce` for tools and tests). */
  readonly projector: Projector;
  /** Projects the traffic streams into `traffic_observations` (its own checkpoint; started beside `projector`). */
  readonly trafficProjector: Projector;
  /** Records traffic observations as facts (file, HTTP, Kafka). */
  readonly traffic: TrafficIngestService;
  /** The metrics of this process (one registry; the API and the worker serve it at `/metrics`). */
  readonly metrics: SanksiMetrics;
  /**
   * A thread that runs this configuration's case and traffic projectors on connections of its own, its
   * batches counted in `metrics`, its lines in `logger`, woken by this runtime's appends (decision 0012).
   */
  createProjectorThread(): ProjectorThread;
  /** Releases stores and connections; idempotent. */
  close(): Promise<void>;
}

/** Options for tests and tools: a controllable clock, sequential ids, a quiet logger. */
export interface RuntimeOptions {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Lease of the following projector (tests shorten it; default 15 s). */
  projector?: { leaseTtlMs?: number };
}

/** Builds the runtime for a configuration: stores are opened (and migrated) before it returns. */
export async function createRuntime(
  config: SanksiConfig,
  options: RuntimeOptions = {},
): Promise<SanksiRuntime> {
  // A key file named by SANKSI_EVIDENCE_KEY must be there before anything opens: found at start, not at
  // the first evidence export (the check throws ConfigurationInvalid naming the variable).
  if (config.evidenceKeyConfigured) configuredEvidencePublicKey(config.evidenceKeyFile, { required: true });
  const logger = options.logger ?? createSanksiLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  // PostgreSQL pools get the configured timeouts and report dropped idle connections to the log.
  const eventStore = createEventStore(
    config.eventStore.kind === 'postgres'
      ? { ...config.eventStore, timeouts: config.postgres, logger: logger.child({ store: 'events' }) }
      : config.eventStore,
  );
  const readModels = createReadModelStore(
    config.readModels.kind === 'postgres'
      ? { ...config.readModels, timeouts: config.postgres, logger: logger.child({ store: 'read-models' }) }
      : config.readModels,
  );
  try {
    await eventStore.headPosition();
    await readModels.migrate();
  } catch (e) {
    await Promise.allSettled([eventStore.close(), readModels.close()]);
    throw e;
  }
  const metrics = new SanksiMetrics(() => eventStore.headPosition());
  const projector = new Projector({
    source: eventStore,
    store: readModels,
    logger: logger.child({ worker: 'projector' }),
    onBatch: ({ events, seconds }) => metrics.projectionBatch(events, seconds),
    ...(options.projector?.leaseTtlMs ? { leaseTtlMs: options.projector.leaseTtlMs } : {}),
  });
  const trafficProjector = new Projector({
    projection: 'traffic',
    source: eventStore,
    store: readModels,
    logger: logger.child({ worker: 'traffic-projector' }),
    ...(options.projector?.leaseTtlMs ? { leaseTtlMs: options.projector.leaseTtlMs } : {}),
  });
  let signingKey: KeyObject | undefined;
  const key = () =>
    (signingKey ??= loadOrCreateSigningKey(config.evidenceKeyFile, {
      create: !config.evidenceKeyConfigured,
    }));
  let closed = false;
  return {
    config,
    logger,
    clock,
    eventStore,
    readModels,
    commands: new CaseCommandService(timedAppends(eventStore, metrics), {
      defaultPolicy: config.defaultPolicy,
      clock,
      ids: options.ids,
      observer: metrics,
      caseHeadCapacity: config.caseHeadCapacity,
    }),
    history: new CaseHistoryService(eventStore, clock, key),
    projector,
    trafficProjector,
    traffic: new TrafficIngestService(eventStore, clock),
    metrics,
    createProjectorThread: () =>
      new ProjectorThread({
        data: {
          eventStore: config.eventStore,
          readModels: config.readModels,
          postgres: config.postgres,
          ...(options.projector?.leaseTtlMs ? { leaseTtlMs: options.projector.leaseTtlMs } : {}),
        },
        logger,
        onBatch: ({ events, seconds }) => metrics.projectionBatch(events, seconds),
        commits: eventStore,
        closeTimeoutMs: config.shutdownTimeoutMs,
        youngMb: config.projectionYoungMb,
      }),
    async close() {
      if (closed) return;
      closed = true;
      await projector.stop().catch(() => undefined);
      await trafficProjector.stop().catch(() => undefined);
      await Promise.allSettled([eventStore.close(), readModels.close()]);
    },
  };
}
