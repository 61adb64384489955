import type { Command } from 'commander';
import { formatWib } from '@sanksi/read-models';
import { z } from 'zod';
import { type CliDeps, InstantOption, parseOptions, withRuntime } from '../support/cli-context';

const Options = z.object({
  asOf: InstantOption.optional(),
  knownAt: InstantOption.optional(),
  json: z.boolean().optional(),
});

const label = (s: { state: string; substate: string | null }): string =>
  s.substate ? `${s.state}/${s.substate}` : s.state;

/** `sanksi replay <pseId>`: the case's timeline through the current machine, or its bitemporal state. */
export function register(program: Command, deps: CliDeps): void {
  program
    .command('replay')
    .description(
      'Replay a case from its events: a timeline with the state after each event and why; or its state as of a time',
    )
    .argument('<pseId>', 'the case id')
    .option(
      '--as-of <instant>',
      'business time: the state in effect then (ISO-8601 with offset, or YYYY-MM-DD = end of day WIB)',
    )
    .option('--known-at <instant>', 'record time: only what the system had learnt by then')
    .option('--json', 'machine-readable output')
    .action(async (pseId: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        if (opts.asOf || opts.knownAt) {
          const view = await runtime.history.stateAsOf(pseId, { asOf: opts.asOf, knownAt: opts.knownAt });
          if (out.json) {
            out.data(view);
            return;
          }
          out.line(
            `${out.colour.bold(pseId)} as of ${formatWib(view.asOf)}, as known at ${formatWib(view.knownAt)}:`,
          );
          out.line(
            view.state
              ? `  ${label({ state: view.state, substate: view.substate })} (after ${view.version} event(s))`
              : '  not known then (no case)',
          );
          return;
        }
        const steps = await runtime.history.replay(pseId);
        if (out.json) {
          out.data({
            pseId,
            steps: steps.map((s) => ({
              index: s.index,
              eventId: s.event.eventId,
              type: s.event.type,
              occurredAt: s.event.occurredAt,
              recordedAt: s.event.recordedAt,
              stateAfter: s.stateAfter,
              transition: s.transition,
              matchesRecorded: s.matchesRecorded,
            })),
          });
          return;
        }
        const c = out.colour;
        out.table(
          ['#', 'occurred (WIB)', 'recorded (WIB)', 'event', 'state after', 'reason'],
          steps.map((s) => [
            String(s.index),
            formatWib(s.event.occurredAt),
            formatWib(s.event.recordedAt),
            s.event.type,
            label(s.stateAfter) + (s.matchesRecorded ? '' : c.red(' (differs from recorded)')),
            s.transition.reason,
          ]),
        );
      });
    });
}
