import { Command } from 'commander';
import { register as registerBlocklist } from './commands/blocklist.command';
import { register as registerCalendar } from './commands/calendar.command';
import { register as registerCases } from './commands/cases.command';
import { register as registerDlq } from './commands/dlq.command';
import { register as registerEvidence } from './commands/evidence.command';
import { register as registerImport } from './commands/import.command';
import { register as registerProjections } from './commands/projections.command';
import { register as registerRelay } from './commands/relay.command';
import { register as registerReplay } from './commands/replay.command';
import { register as registerSimulate } from './commands/simulate.command';
import { register as registerStats } from './commands/stats.command';
import { register as registerVerify } from './commands/verify.command';
import { register as registerWhatIf } from './commands/what-if.command';
import { CliError, ExitCode } from './cli.errors';
import type { CliDeps } from './support/cli-context';

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
export async function buildProgram(deps: CliDeps, argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('sanksi')
    .description('Sanksi: event-sourced sanction workflow for PSE registration (Kominfo MR5/2020)')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  await registerServe(program, argv);
  registerImport(program, deps);
  registerCases(program, deps);
  registerReplay(program, deps);
  registerWhatIf(program, deps);
  registerVerify(program, deps);
  registerProjections(program, deps);
  registerRelay(program, deps);
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
