import { PseCaseCommand, ValidationFailed } from '@sanksi/domain';

declare const parsed: unique symbol;

/**
 * A command that has passed validation once: parsed by `PseCaseCommand`, or built by the HTTP edge from a
 * body its own schemas parsed (libs/contracts command-bodies: the domain's field schemas, less what the URL
 * supplies). `CaseCommandService.executeParsed` takes it without parsing it again; every other caller
 * (CLI, Kafka, scheduler, tools) goes through `execute`, which parses.
 */
export type ParsedCommand = PseCaseCommand & { readonly [parsed]: true };

/** Parses a command with the domain's schema; a `ValidationFailed` naming each bad field otherwise. */
export function parseCommand(input: unknown): ParsedCommand {
  const result = PseCaseCommand.safeParse(input);
  if (!result.success) {
    throw new ValidationFailed(
      result.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: i.message,
      })),
    );
  }
  return result.data as ParsedCommand;
}

/**
 * Marks a command built from a request body that the HTTP edge validated with the command-body schemas.
 * Only for that edge: its spec (apps/api command-parsed-once.spec.ts) proves that every route's command
 * parses back through `PseCaseCommand` to the same value and the same idempotency digest.
 */
export function parsedAtTheEdge(command: PseCaseCommand): ParsedCommand {
  return command as ParsedCommand;
}
