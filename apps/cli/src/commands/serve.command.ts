import { createApiApp, ApiKeyRegistry, loadOrCreateKeyFile, ROLES, type Role } from '@sanksi/api';
import { createRuntime, loadConfig, type SanksiConfig } from '@sanksi/application';
import { startWorker } from '@sanksi/worker';
import type { Command } from 'commander';

/** The keys the server accepts: `SANKSI_API_KEYS`, or one per role kept in the data directory. */
function apiKeys(config: SanksiConfig): {
  registry: ApiKeyRegistry;
  printable: Record<Role, string> | null;
  file: string | null;
} {
  if (config.apiKeys) return { registry: new ApiKeyRegistry(config.apiKeys), printable: null, file: null };
  const { file, keys } = loadOrCreateKeyFile(config.dataDir);
  return {
    registry: new ApiKeyRegistry(ROLES.map((role) => ({ role, key: keys[role] }))),
    printable: keys,
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
      const worker = await startWorker(runtime, options.worker ? config.worker : []);
      const app = await createApiApp({ runtime, keys: keys.registry, workers: worker });
      await app.listen({ port: config.port, host: config.host });
      const base = `http://${config.host}:${config.port}`;
      const out = process.stdout;
      out.write(`Sanksi is serving on ${base}\n`);
      out.write(`  API docs (OpenAPI):  ${base}/docs\n`);
      out.write(
        `  event store:         ${config.eventStore.kind}${config.eventStore.kind === 'sqlite' ? ` (${config.eventStore.file})` : ''}\n`,
      );
      out.write(`  read models:         ${config.readModels.kind}\n`);
      out.write(
        `  worker modules:      ${options.worker ? config.worker.join(', ') || 'none' : 'none (--no-worker)'}\n`,
      );
      if (keys.printable) {
        out.write(`  API keys (kept in ${keys.file}, mode 0600):\n`);
        for (const role of ROLES) out.write(`    ${role.padEnd(9)} ${keys.printable[role]}\n`);
        out.write(
          `  try: curl -H 'Authorization: Bearer ${keys.printable.analyst}' ${base}/v1/stats/states\n`,
        );
      }
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        runtime.logger.info({ signal }, 'shutting down');
        await app.close();
        await worker.stop();
        await runtime.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
