import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { TerminusModule } from '@nestjs/terminus';
import { WorkerHealthController } from './http/worker-health.controller';
import { WorkerMetricsController } from './http/worker-metrics.controller';
import { handleOf, type WorkerHandle } from './worker';
import { WorkerModule, type WorkerModuleOptions } from './worker.module';
import { WorkerSupervisor } from './worker-supervisor';

/** The standalone worker's port when `WORKER_PORT` is unset. */
export const DEFAULT_WORKER_PORT = 3001;

/** The standalone worker: its loops and its small HTTP surface (`/health/live`, `/health/ready`, `/metrics`). */
@Module({})
export class WorkerAppModule {
  /** The loops of `options` with the health and metrics controllers. */
  static forRuntime(options: WorkerModuleOptions): DynamicModule {
    return {
      module: WorkerAppModule,
      imports: [WorkerModule.forRuntime(options), TerminusModule.forRoot({ logger: false })],
      controllers: [WorkerHealthController, WorkerMetricsController],
    };
  }
}

/** A started worker application: its loops' handle and, when it listens, its base URL. */
export interface WorkerApp {
  worker: WorkerHandle;
  /** `http://host:port` of `/health/*` and `/metrics`, or null when `WORKER_PORT=off`. */
  url: string | null;
}

/**
 * Starts the standalone worker as a Nest application: with an HTTP port (`WORKER_PORT`, default
 * 3001) it listens on `HOST`; with `WORKER_PORT=off` it runs the loops without HTTP. A failed start
 * (a refused credential, a taken port) stops whatever had started before it rejects.
 */
export async function startWorkerApp(options: WorkerModuleOptions): Promise<WorkerApp> {
  const { runtime } = options;
  const supervisor = options.supervisor ?? new WorkerSupervisor(runtime, options.modules);
  const configured = runtime.config.workerPort;
  const port = configured === 'off' ? null : (configured ?? DEFAULT_WORKER_PORT);
  let app: INestApplicationContext | NestFastifyApplication | null = null;
  try {
    if (port === null) {
      app = await NestFactory.createApplicationContext(WorkerModule.forRuntime({ ...options, supervisor }), {
        logger: false,
        abortOnError: false,
      });
      await app.init();
    } else {
      const http = await NestFactory.create<NestFastifyApplication>(
        WorkerAppModule.forRuntime({ ...options, supervisor }),
        new FastifyAdapter({ logger: false }),
        { logger: false, abortOnError: false },
      );
      app = http;
      await http.listen({ port, host: runtime.config.host });
    }
  } catch (e) {
    await supervisor.stop();
    await app?.close().catch(() => undefined);
    throw e;
  }
  supervisor.announce();
  const opened = app;
  return {
    worker: handleOf(supervisor, () => opened.close()),
    url: port === null ? null : `http://${runtime.config.host}:${port}`,
  };
}
