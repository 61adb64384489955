#!/usr/bin/env node
import { ConfigurationInvalid } from '@sanksi/application';
import { CaseNotFound, DomainError } from '@sanksi/domain';
import { EventStoreSchemaTooNew } from '@sanksi/event-store';
import { ReadModelSchemaTooNew } from '@sanksi/read-models';
import { CommanderError } from 'commander';
import { CliError, ExitCode } from './cli.errors';
import { buildProgram } from './program';
import { defaultDeps } from './support/cli-context';

const wantsJson = (argv: string[]): boolean => argv.includes('--json');

function report(error: unknown, json: boolean): ExitCode {
  const fail = (exitCode: ExitCode, code: string, message: string, details: object = {}): ExitCode => {
    if (json) console.error(JSON.stringify({ error: { code, message, ...details } }));
    else console.error(`sanksi: ${message}`);
    return exitCode;
  };
  if (error instanceof CommanderError) {
    // commander has already printed its message; help and version are not errors.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    // `commander.help` with a non-zero code: a command group was called without a sub-command.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof ConfigurationInvalid) {
    return fail(ExitCode.configuration, error.code, error.message, { problems: error.problems });
  }
  // A database a newer build migrated: this build refuses it (nothing written); run a newer build.
  if (error instanceof EventStoreSchemaTooNew || error instanceof ReadModelSchemaTooNew) {
    return fail(ExitCode.configuration, error.code, error.message, {
      known: error.known,
      found: error.found,
    });
  }
  if (error instanceof CaseNotFound)
    return fail(ExitCode.notFound, error.code, error.message, { pseId: error.pseId });
  if (error instanceof CliError) return fail(error.exitCode, error.code, error.message, error.details);
  if (error instanceof DomainError) return fail(ExitCode.failure, error.code, error.message);
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return fail(ExitCode.failure, 'UNEXPECTED', message);
}

async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(defaultDeps(), argv);
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = report(error, wantsJson(argv));
  }
}

void main(process.argv);
