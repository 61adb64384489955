import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import { localDate } from '@sanksi/domain';
import { z } from 'zod';
import { Allow, QUERY_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { toRegistryView, wib } from '../cases/case-view';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { ApiAnswers, ApiProblems, GUARDED } from '../openapi/api-answers.decorator';
import {
  DiscoveryRef,
  DueDeadlinesRef,
  EscalationQueueRef,
  FinesPerMonthRef,
  RegistryRef,
  StateCountsRef,
  TransitionsRef,
  WarningToRegistrationRef,
} from '../openapi/read-schemas';

/**
 * The register's query. Built once: zod builds (and compiles) a schema in 170–290 µs, so a schema made
 * per request cost the register's page more than its SQL (docs/benchmarks.md, "Case lists").
 */
const RegistryListQuery = z.strictObject({
  q: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const DateOnly = z.iso.date();
/** A time bound: a date (YYYY-MM-DD, the end of that day in WIB) or an ISO-8601 instant with offset. */
const TimeBound = z.union([DateOnly, z.iso.datetime({ offset: true })], {
  error: 'expected YYYY-MM-DD (end of that day, WIB) or an ISO-8601 instant with offset',
});
const StatesQuery = z.strictObject({ asOf: TimeBound.optional(), knownAt: TimeBound.optional() });
/** A bound as the API shows it: a date as asked, an instant in WIB. */
const shownBound = (bound: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(bound) ? bound : wib(bound));
const RangeQuery = z
  .strictObject({ from: DateOnly, to: DateOnly })
  .refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['from'] });
/** Cursor pagination as `GET /v1/cases` has it: the previous page's `nextCursor`, at most 500 a page. */
const PageParams = {
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
};
const PageQuery = z.strictObject(PageParams);
const EscalationQueueQuery = z.strictObject({
  order: z.enum(['traffic', 'oldest']).default('traffic'),
  ...PageParams,
});
const DeadlinesQuery = z.strictObject({ before: z.iso.datetime({ offset: true }).optional(), ...PageParams });
const LimitQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** Analysts' statistics over the projections (docs/regulation.md §15.1). */
@ApiTags('stats')
@ApiBearerAuth()
@Allow(...QUERY_ROLES)
@Controller('v1')
export class StatsController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  private today(): string {
    return localDate(this.runtime.clock.now().toISOString(), 'WIB');
  }

  @Get('stats/states')
  @ApiProblems(400, ...GUARDED, 503)
  @ApiOperation({
    operationId: 'getStateCounts',
    summary: 'How many cases were in each state at business time asOf, as known at record time knownAt',
    description:
      'The whole population, bitemporally (docs/regulation.md §9.6): each case counts in the state recorded by its last ' +
      'event (in the case’s own order) that occurred at or before `asOf` and was recorded at or before ' +
      '`knownAt`; a case with no such event is not counted. So a block dated 30 July but recorded on ' +
      '6 August shows on 1 August "as known at 7 August", not "as known at 5 August". Without `knownAt` ' +
      'everything recorded counts. `knownAt` may lie before `asOf` (later facts are then unknown). The ' +
      'response echoes both bounds (`knownAt` null when absent), the count of every state (zero when ' +
      'empty) and their total.',
  })
  @ApiQuery({
    name: 'asOf',
    required: false,
    description:
      'business time: YYYY-MM-DD (the end of that day in WIB, UTC+7) or an ISO-8601 instant with offset; default today (WIB)',
    example: '2022-08-01',
  })
  @ApiQuery({
    name: 'knownAt',
    required: false,
    description:
      'record time: only what Sanksi had recorded by then; YYYY-MM-DD (end of that day, WIB) or an ISO-8601 instant with offset; default everything recorded',
    example: '2022-08-05T12:00:00+07:00',
  })
  @ApiOkResponse({
    description: 'Cases per state on asOf as known at knownAt, with both bounds echoed',
    schema: {
      ...StateCountsRef,
      example: {
        asOf: '2022-08-01',
        knownAt: '2022-08-05',
        counts: {
          unregistered: 0,
          registrationPending: 0,
          registered: 1,
          warned: 1,
          fined: 0,
          blocked: 1,
          reRegistered: 0,
          suspended: 0,
          revoked: 0,
          exempted: 1,
        },
        total: 4,
      },
    },
  })
  async states(@Query() query: unknown) {
    const { asOf, knownAt } = parseInput(StatesQuery, query, 'query');
    const counts = await this.runtime.readModels.getStateCounts(asOf ?? this.today(), { knownAt });
    return {
      ...counts,
      asOf: shownBound(counts.asOf),
      knownAt: counts.knownAt === null ? null : shownBound(counts.knownAt),
    };
  }

  @Get('stats/transitions')
  @ApiOperation({
    operationId: 'getTransitionsPerDay',
    summary: 'State transitions per business day between two dates',
  })
  @ApiAnswers({
    description: 'Transitions per day',
    schema: TransitionsRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiQuery({ name: 'from' })
  @ApiQuery({ name: 'to' })
  async transitions(@Query() query: unknown) {
    const { from, to } = parseInput(RangeQuery, query, 'query');
    return { from, to, days: await this.runtime.readModels.getTransitionsPerDay(from, to) };
  }

  @Get('stats/fines')
  @ApiOperation({
    operationId: 'getFinesPerMonth',
    summary: 'Fines imposed, paid and annulled per month (rupiah)',
  })
  @ApiAnswers({ description: 'Fine totals per month', schema: FinesPerMonthRef, problems: [...GUARDED, 503] })
  async fines() {
    return { months: await this.runtime.readModels.getFinesPerMonth() };
  }

  @Get('stats/warning-to-registration')
  @ApiAnswers({
    description: 'Counts, median and average, and one page of cases',
    schema: WarningToRegistrationRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiOperation({
    operationId: 'getWarningToRegistration',
    summary: 'How long operators took from a written warning to registration',
    description:
      'The counts, median and average cover every case; `cases` is one page of them by warning date ' +
      '(`limit`, default 50, at most 500); pass `nextCursor` back as `cursor` for the next (null on the last).',
  })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  warningToRegistration(@Query() query: unknown) {
    const page = parseInput(PageQuery, query, 'query');
    return this.runtime.readModels.getWarningToRegistration(page);
  }

  @Get('stats/deadlines')
  @ApiAnswers({
    description: 'One page of due deadlines',
    schema: DueDeadlinesRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiOperation({
    operationId: 'getDueDeadlines',
    summary: 'Pending deadlines due before an instant (default now), soonest first; cursor pagination',
    description:
      '`limit` per page (default 50, at most 500); pass `nextCursor` back as `cursor` with the same `before` ' +
      'for the next page (null on the last).',
  })
  @ApiQuery({ name: 'before', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async deadlines(@Query() query: unknown) {
    const { before, ...page } = parseInput(DeadlinesQuery, query, 'query');
    const at = before ?? this.runtime.clock.now().toISOString();
    const due = await this.runtime.readModels.getDueDeadlines(at, page);
    return { before: at, deadlines: due.items, nextCursor: due.nextCursor };
  }

  @Get('stats/escalation-queue')
  @ApiAnswers({
    description: 'One page of the queue',
    schema: EscalationQueueRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiOperation({
    operationId: 'getEscalationQueue',
    summary: 'Cases awaiting an operator after an elapsed deadline, largest traffic first; cursor pagination',
    description:
      "`order=traffic` (default): the largest visits of the case's domains first (unknown traffic last), then the oldest " +
      'escalation; `order=oldest`: the oldest escalation first. Then by case id. `limit` per page (default 50, at most 500); ' +
      'pass `nextCursor` back as `cursor` for the next page (null on the last) with the same order.',
  })
  @ApiQuery({ name: 'order', required: false, enum: ['traffic', 'oldest'] })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async escalationQueue(@Query() query: unknown) {
    const page = parseInput(EscalationQueueQuery, query, 'query');
    const queue = await this.runtime.readModels.getEscalationQueue(page);
    return { entries: queue.items, nextCursor: queue.nextCursor };
  }

  @Get('stats/discovery')
  @ApiOperation({
    operationId: 'getDiscovery',
    summary: 'High-traffic domains with no case and no registration (candidates)',
  })
  @ApiAnswers({
    description: 'Candidates and open cases by traffic',
    schema: DiscoveryRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiQuery({ name: 'limit', required: false })
  async discovery(@Query() query: unknown) {
    const { limit } = parseInput(LimitQuery, query, 'query');
    return {
      candidates: await this.runtime.readModels.getDiscoveryCandidates(limit),
      openCasesByTraffic: await this.runtime.readModels.getOpenCasesByTraffic(limit),
    };
  }

  @Get('registry')
  @ApiOperation({
    operationId: 'listRegistry',
    summary: 'The public register of certificates (like the ministry site)',
  })
  @ApiAnswers({
    description: 'One page of the register',
    schema: RegistryRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiQuery({ name: 'q', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async registry(@Query() query: unknown) {
    const q = parseInput(RegistryListQuery, query, 'query');
    const page = await this.runtime.readModels.getRegistry(q);
    return { items: page.items.map(toRegistryView), nextCursor: page.nextCursor };
  }
}
