import { Command } from 'commander';
import { register as registerBlocklist } from './commands/blocklist.command';
import { register as registerCalendar } from './commands/calendar.command';
import { register as registerCase } from './commands/case.command';
import { register as registerCases } from './commands/cases.command';
import { register as registerDlq } from './commands/dlq.command';
import { register as registerEvidence } from './commands/evidence.command';
import { register as registerImport } from './commands/import.command';
import { register as registerMigrate } from './commands/migrate.command';
import { register as registerProjections } from './commands/projections.command';
import { register as registerRelay } from './commands/relay.command';
import { register as registerReplay } from './commands/replay.command';
import { register as registerSimulate } from './commands/simulate.command';
import { register as registerStats } from './commands/stats.command';
import { register as registerStore } from './commands/store.command';
import { register as registerVerify } from './commands/verify.command';
import { register as registerWhatIf } from './commands/what-if.command';
import { register as registerTraffic } from './commands/traffic.command';
import { CliError, ExitCode } from './cli.errors';
import type { CliDeps } from './support/cli-context';
import { requireDataDirectory } from './support/data-directory';

/**
 * The commands that read existing data: on a data directory that does not exist they stop with an error
 * naming it (support/data-directory.ts) instead of creating an empty one and answering "nothing".
 * A group name covers its sub-commands (`discovery` covers `discovery open`: no data, no candidate).
 * `evidence public-key` opens no store and checks for itself (evidence.command.ts).
 */
const NEEDS_DATA = new Set([
  'cases',
  'discovery',
  'replay',
  'what-if',
  'verify',
  'projections',
  'relay',
  'blocklist',
  'stats',
  'dlq replay',
  'evidence export',
]);

/** The first non-option argument: the command the user asked for (undefined: none). */
function requestedCommand(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
}

/**
 * `serve` composes the API and the worker (NestJS, Kafka...): seconds to load, and only `serve` and
 * the top-level help need it. Loaded on demand; if it cannot load, the other commands still work.
 */
async function registerServe(program: Command, argv: readonly string[]): Promise<void> {
  const requested = requestedCommand(argv);
  if (requested !== undefined && requested !== 'serve' && requested !== 'help') return;
  try {
    const serve = await import('./commands/serve.command');
    serve.register(program);
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    program
      .command('serve')
      .description(`Run the HTTP API and the workers in one process (unavailable in this build: ${reason})`)
      .allowUnknownOption()
      .action(() => {
        throw new CliError('SERVE_UNAVAILABLE', `serve cannot start: ${reason}`, ExitCode.failure);
      });
  }
}

/** Builds the `sanksi` program with every command (docs/regulation.md §15.3); `argv` decides whether `serve` is loaded. */
export async function buildProgram(base: CliDeps, argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('sanksi')
    .description('Sanksi: event-sourced sanction workflow for PSE registration (Kominfo MR5/2020)')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // Marked before the action runs, checked when it opens the stores: bad options are still reported first.
  let needsData = false;
  program.hook('preAction', (_program, action) => {
    const group = action.parent && action.parent !== program ? action.parent.name() : undefined;
    needsData =
      NEEDS_DATA.has(group ? `${group} ${action.name()}` : action.name()) || NEEDS_DATA.has(group ?? '');
  });
  const deps: CliDeps = {
    ...base,
    async openRuntime() {
      if (needsData) requireDataDirectory(base.config());
      return base.openRuntime();
    },
  };
  await registerServe(program, argv);
  registerImport(program, deps);
  registerMigrate(program, deps);
  registerCase(program, deps);
  registerCases(program, deps);
  registerReplay(program, deps);
  registerWhatIf(program, deps);
  registerTraffic(program, deps);
  registerVerify(program, deps);
  registerProjections(program, deps);
  registerRelay(program, deps);
  registerStore(program, deps);
  registerDlq(program, deps);
  registerBlocklist(program, deps);
  registerStats(program, deps);
  registerEvidence(program, deps);
  registerSimulate(program, deps);
  registerCalendar(program, deps);
  // Sub-commands inherit exitOverride only when set on each of them.
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}
