import { existsSync } from 'node:fs';
import type { SanksiConfig } from '@sanksi/application';
import { CliError, ExitCode } from '../cli.errors';

const HOW_TO_CREATE =
  'create it with `sanksi import` (the PSE registry) or `sanksi migrate` (empty stores), or point SANKSI_DATA_DIR at an existing one';

/**
 * Refuses, before any store is opened, to run a command that needs existing data on a data directory that
 * does not exist (or holds no event store): opening SQLite would create an empty one by accident, and the
 * command would then answer "nothing" instead of naming the mistake. Stores on PostgreSQL are not checked.
 */
export function requireDataDirectory(config: SanksiConfig): void {
  const sqlite = config.eventStore.kind === 'sqlite' || config.readModels.kind === 'sqlite';
  if (!sqlite) return;
  if (!existsSync(config.dataDir))
    throw new CliError(
      'NO_DATA_DIRECTORY',
      `no data directory at ${config.dataDir}: ${HOW_TO_CREATE}`,
      ExitCode.configuration,
      { dataDir: config.dataDir },
    );
  if (config.eventStore.kind === 'sqlite' && !existsSync(config.eventStore.file))
    throw new CliError(
      'NO_EVENT_STORE',
      `no event store in ${config.dataDir} (${config.eventStore.file} does not exist): ${HOW_TO_CREATE}`,
      ExitCode.configuration,
      { dataDir: config.dataDir, file: config.eventStore.file },
    );
}
