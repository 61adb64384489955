import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { listCaseIds, readCases, type CaseEvents, type SanksiRuntime } from '@sanksi/application';
import {
  countWhatIf,
  emptyWhatIfCounts,
  getPolicy,
  orderedWhatIfCounts,
  PolicyId,
  toZone,
  whatIf,
  type WhatIfReport,
  WhatIfUntil,
} from '@sanksi/domain';
import { z } from 'zod';
import { Allow, QUERY_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { ApiProblems, GUARDED } from '../openapi/api-answers.decorator';

const MAX_LIMIT = 1000;
const LIMIT_RULE = `must be a whole number from 1 to ${MAX_LIMIT}`;

const WhatIfQuery = z.strictObject({
  policy: PolicyId,
  until: WhatIfUntil.optional(),
  limit: z.coerce
    .number({ error: LIMIT_RULE })
    .int({ error: LIMIT_RULE })
    .min(1, { error: LIMIT_RULE })
    .max(MAX_LIMIT, { error: LIMIT_RULE })
    .default(50),
  case: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" or "-", at most 128')
    .optional(),
});

/** What-if over the recorded population (docs/regulation.md §11.4): an analyst's question, not a command. */
@ApiTags('stats')
@ApiBearerAuth()
@Allow(...QUERY_ROLES)
@Controller('v1')
export class WhatIfController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get('what-if')
  @ApiProblems(400, ...GUARDED, 404, 503)
  @ApiOperation({
    operationId: 'whatIf',
    summary:
      'How every case would stand under another policy version, its own deadlines and escalations included',
    description:
      "Replays the whole population (or one case, with `case`): every case's events are read from the log " +
      'and its recorded operator commands re-decided under `policy`, which also generates its own deadline ' +
      'elapses and automatic escalations at their due instants up to `until`. The recorded side is brought ' +
      'up to `until` under its own policy too. The work runs in this process, case by case, so its cost ' +
      'grows with the population (the CLI `sanksi what-if` spreads it over worker threads). The answer ' +
      'counts the final state of every case both ways and lists the first `limit` cases that would differ ' +
      '(with `case`: that case, differing or not), each with its first divergent event.',
  })
  @ApiQuery({ name: 'policy', enum: PolicyId.options, description: 'the alternative policy version' })
  @ApiQuery({
    name: 'until',
    required: false,
    description:
      'business time to simulate up to: an ISO-8601 instant with offset, or YYYY-MM-DD (the end of that day, 23:59:59 WIB); default now',
    example: '2022-08-01',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: `differing cases listed in full (1 to ${MAX_LIMIT}, default 50); counts cover every case`,
  })
  @ApiQuery({ name: 'case', required: false, description: 'one case only (its pseId)' })
  @ApiOkResponse({
    description: 'Counts per final state both ways and the first differing reports',
    schema: {
      example: {
        policy: 'kominfo-2022',
        until: '2022-08-01T23:59:59+07:00',
        cases: 1,
        differing: 1,
        counts: { recorded: { warned: 1, blocked: 0 }, alternative: { warned: 0, blocked: 1 } },
        reports: [
          {
            pseId: 'shop',
            policy: 'kominfo-2022',
            until: '2022-08-01T23:59:59+07:00',
            differs: true,
            divergence: {
              index: 2,
              recorded: null,
              alternative: {
                type: 'DeadlineElapsed',
                occurredAt: '2022-07-29T23:59:59+07:00',
                state: 'warned',
              },
            },
            final: { recorded: { state: 'warned' }, alternative: { state: 'blocked', substate: 'enforced' } },
          },
        ],
      },
    },
  })
  async whatIf(@Query() query: unknown) {
    const q = parseInput(WhatIfQuery, query, 'query');
    const policy = getPolicy(q.policy);
    const until = q.until ?? toZone(this.runtime.clock.now().toISOString(), 'WIB');
    const counts = emptyWhatIfCounts();
    const reports: WhatIfReport[] = [];
    let cases = 0;
    let differing = 0;
    for await (const { envelopes } of this.population(q.case)) {
      const report = whatIf(envelopes, policy, { until });
      cases += 1;
      countWhatIf(counts, report);
      if (report.differs) differing += 1;
      if ((report.differs || q.case) && reports.length < q.limit) reports.push(report);
    }
    return { policy: policy.id, until, cases, differing, counts: orderedWhatIfCounts(counts), reports };
  }

  /** One case (404 when it does not exist) or every case, read one stream at a time. */
  private async *population(pseId: string | undefined): AsyncGenerator<CaseEvents> {
    if (pseId !== undefined) {
      yield { pseId, envelopes: await this.runtime.history.events(pseId) };
      return;
    }
    yield* readCases(this.runtime.eventStore, await listCaseIds(this.runtime.eventStore));
  }
}
