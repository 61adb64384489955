import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { SanksiRuntime } from '@sanksi/application';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRegistry } from './auth/api-keys';
import { WhoAmIController } from './auth/whoami.controller';
import { CaseCommandsController } from './cases/case-commands.controller';
import { CaseQueriesController } from './cases/case-queries.controller';
import { BlocklistController } from './feeds/blocklist.controller';
import { EventFanOut } from './feeds/event-fan-out';
import { EventsController } from './feeds/events.controller';
import { HealthController } from './ops/health.controller';
import { MetricsController } from './ops/metrics.controller';
import { EvidenceKeyController, SchemasController } from './ops/schemas.controller';
import { WORKER_STATUS, type WorkerStatusSource, noWorkers } from './ops/worker-status';
import { SANKSI_RUNTIME } from './runtime/runtime.token';
import { CalendarController } from './calendar/calendar.controller';
import { StatechartController } from './statechart/statechart.controller';
import { StatsController } from './stats/stats.controller';
import { StatsSeriesController } from './stats/stats-series.controller';
import { WhatIfController } from './stats/what-if.controller';
import { TrafficController } from './traffic/traffic.controller';

/** What the HTTP API needs from the process that hosts it. */
export interface ApiModuleOptions {
  runtime: SanksiRuntime;
  keys: ApiKeyRegistry;
  workers?: WorkerStatusSource;
  /** Modules to run in the same application (`sanksi serve` adds the worker's). */
  imports?: DynamicModule[];
  /** Where the built web console is (default apps/console/dist); served at /console. */
  consoleDir?: string;
}

/** The HTTP API: thin controllers over the runtime's command and query services. */
@Module({})
export class ApiModule {
  /** The module wired to a runtime and a set of API keys. */
  static forRuntime(options: ApiModuleOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: options.imports ?? [],
      controllers: [
        CaseCommandsController,
        CaseQueriesController,
        BlocklistController,
        EventsController,
        StatsController,
        StatsSeriesController,
        WhatIfController,
        TrafficController,
        SchemasController,
        EvidenceKeyController,
        HealthController,
        MetricsController,
        WhoAmIController,
        StatechartController,
        CalendarController,
      ],
      providers: [
        { provide: SANKSI_RUNTIME, useValue: options.runtime },
        { provide: ApiKeyRegistry, useValue: options.keys },
        { provide: WORKER_STATUS, useValue: options.workers ?? noWorkers },
        EventFanOut,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
    };
  }
}
