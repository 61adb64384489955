import { createApiApp, ApiKeyRegistry, loadOrCreateKeyFile, ROLES, type Role } from '@sanksi/api';
import { createRuntime, loadConfig, type SanksiConfig, type SanksiRuntime } from '@sanksi/application';
import { startWorkerApp, WorkerModule, WorkerSupervisor } from '@sanksi/worker';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli.errors';

/** The keys the server accepts: `SANKSI_API_KEYS`, or one per role kept in the data directory. */
function apiKeys(config: SanksiConfig): {
  registry: ApiKeyRegistry;
  /** The keys, only on the start that made them (issue 11: never printed again). */
  printable: Record<Role, string> | null;
  file: string | null;
} {
  if (config.apiKeys) return { registry: new ApiKeyRegistry(config.apiKeys), printable: null, file: null };
  const { file, keys, created } = loadOrCreateKeyFile(config.dataDir);
  return {
    registry: new ApiKeyRegistry(ROLES.map((role) => ({ role, key: keys[role] }))),
    printable: created ? keys : null,
    file,
  };
}

/** `sanksi serve`: the HTTP API and the worker (projector, scheduler, relay, OSS consumer) in one process. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API and the background worker in one process (embedded SQLite by default)')
    .option('--port <port>', 'listen on this port (default: PORT or 3000)')
    .option('--host <host>', 'listen on this address (default: HOST or 127.0.0.1)')
    .option('--no-worker', 'serve HTTP only (projections then need a separate worker)')
    .action(async (options: { port?: string; host?: string; worker: boolean }) => {
      const config = loadConfig({
        ...process.env,
        ...(options.port ? { PORT: options.port } : {}),
        ...(options.host ? { HOST: options.host } : {}),
      });
      const runtime = await createRuntime(config);
      const keys = apiKeys(config);
      // The worker's loops are providers of the same Nest application as the API: they start when it
      // boots and stop when it closes. Its own HTTP port stays closed: the API serves /health and /metrics.
      const worker = new WorkerSupervisor(runtime, options.worker ? config.worker : []);
      const app = await listening(config, runtime, worker, keys.registry);
      // Off unless WORKER_PORT names a port: the API already serves /health and /metrics with the loops in.
      const workerHttp =
        typeof config.workerPort === 'number'
          ? await startWorkerApp({ runtime, supervisor: worker }).catch(async (e: unknown) => {
              await app.close();
              await worker.stop();
              await runtime.close();
              throw e;
            })
          : null;
      const base = `http://${config.host}:${config.port}`;
      const out = process.stdout;
      out.write(`Sanksi is serving on ${base}\n`);
      out.write(`  API docs (OpenAPI):  ${base}/docs\n`);
      out.write(
        `  event store:         ${config.eventStore.kind}${config.eventStore.kind === 'sqlite' ? ` (${config.eventStore.file})` : ''}\n`,
      );
      out.write(`  read models:         ${config.readModels.kind}\n`);
      if (workerHttp?.url) out.write(`  worker health:       ${workerHttp.url}/health/ready\n`);
      out.write(
        `  worker modules:      ${options.worker ? config.worker.join(', ') || 'none' : 'none (--no-worker)'}\n`,
      );
      if (keys.printable) {
        // Printed once, on the start that made them; later starts only say where they are.
        out.write(`  API keys, made now and shown only this once (kept in ${keys.file}, mode 0600):\n`);
        for (const role of ROLES) out.write(`    ${role.padEnd(9)} ${keys.printable[role]}\n`);
        out.write(
          `  try: curl -H 'Authorization: Bearer ${keys.printable.analyst}' ${base}/v1/stats/states\n`,
        );
      } else {
        out.write(
          `  API keys:            ${keys.file ? `in ${keys.file} (mode 0600; not printed again)` : 'from SANKSI_API_KEYS'}\n`,
        );
      }
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        runtime.logger.info({ signal, deadlineMs: config.shutdownTimeoutMs }, 'shutting down');
        // Open event streams are ended by the app's close; anything that still hangs (a store that
        // does not answer) must not keep the process from exiting: past the deadline it exits non-zero.
        const deadline = setTimeout(() => {
          runtime.logger.error({ deadlineMs: config.shutdownTimeoutMs }, 'shutdown deadline passed; exiting');
          process.exit(ExitCode.failure);
        }, config.shutdownTimeoutMs);
        try {
          await app.close(); // the worker's loops stop before the HTTP server closes
          await workerHttp?.worker.stop();
          await worker.stop();
          await runtime.close();
          clearTimeout(deadline);
          process.exit(ExitCode.ok);
        } catch (e) {
          runtime.logger.error({ err: e }, 'shutdown failed');
          process.exit(ExitCode.failure);
        }
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}

/**
 * The API with the worker's loops, listening. If it cannot start (a refused Kafka credential) or listen
 * (the port is taken...), everything already started — the worker's loops, the stores — is stopped
 * before the error is thrown, so a failed start leaves nothing running and the process exits non-zero.
 */
async function listening(
  config: SanksiConfig,
  runtime: SanksiRuntime,
  worker: WorkerSupervisor,
  keys: ApiKeyRegistry,
): Promise<Awaited<ReturnType<typeof createApiApp>>> {
  let app: Awaited<ReturnType<typeof createApiApp>> | null = null;
  try {
    app = await createApiApp({
      runtime,
      keys,
      workers: worker,
      imports: [WorkerModule.forRuntime({ runtime, supervisor: worker })],
    });
    worker.announce();
    await app.listen({ port: config.port, host: config.host });
    return app;
  } catch (e) {
    // Should a loop refuse to stop, the process still exits: nothing else is left to wait for.
    setTimeout(() => process.exit(ExitCode.failure), config.shutdownTimeoutMs).unref();
    await app?.close().catch(() => undefined);
    await worker.stop();
    await runtime.close();
    const code = (e as { code?: unknown }).code;
    if (code === 'EADDRINUSE') {
      throw new CliError(
        'PORT_IN_USE',
        `cannot listen on ${config.host}:${config.port}: the port is already in use (another sanksi serve?); choose another with --port or PORT`,
        ExitCode.failure,
        { host: config.host, port: config.port },
      );
    }
    throw e;
  }
}
