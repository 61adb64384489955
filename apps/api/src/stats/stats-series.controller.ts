import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import { z } from 'zod';
import { Allow, QUERY_ROLES } from '../auth/roles';
import { wib } from '../cases/case-view';
import { parseInput } from '../http/parse-input';
import { ApiAnswers, GUARDED } from '../openapi/api-answers.decorator';
import {
  BlocklistDailyRef,
  LatestBlocklistChangesRef,
  StateCountsDailyRef,
  WarningToRegistrationDaysRef,
} from '../openapi/series-schemas';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';

/** The longest series a request may ask for (the read models' own limit). */
const MAX_DAYS = 3660;
const DAY_MS = 86_400_000;
const DateOnly = z.iso.date();
const KnownAt = z.union([DateOnly, z.iso.datetime({ offset: true })], {
  error: 'expected YYYY-MM-DD (end of that day, WIB) or an ISO-8601 instant with offset',
});
const SeriesQuery = z
  .strictObject({ from: DateOnly, to: DateOnly, knownAt: KnownAt.optional() })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS < MAX_DAYS, {
    message: `at most ${MAX_DAYS} days from from`,
    path: ['to'],
  });
const LatestQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(20) });

/** A record-time bound as the API shows it: a date as asked, an instant in WIB. */
const shownKnownAt = (asked: string | undefined): string | null =>
  asked === undefined ? null : /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : wib(asked);

const SERIES_QUERIES = [
  { name: 'from', description: 'first business date (YYYY-MM-DD, WIB)', example: '2022-07-15' },
  {
    name: 'to',
    description: `last business date (inclusive; at most ${MAX_DAYS} days in all)`,
    example: '2022-08-31',
  },
  {
    name: 'knownAt',
    required: false,
    description:
      'record time: only what Sanksi had recorded by then; YYYY-MM-DD (end of that day, WIB) or an ISO-8601 instant with offset; default everything recorded',
  },
];

/** Analysts' series over business time: what the console's charts draw (docs/read-models.md, daily series). */
@ApiTags('stats')
@ApiBearerAuth()
@Allow(...QUERY_ROLES)
@Controller('v1/stats')
export class StatsSeriesController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get('states/daily')
  @ApiOperation({
    operationId: 'getStateCountsDaily',
    summary: 'Cases per state at the end of every business date of a range, as known at knownAt',
    description:
      'Each date counts as `GET /v1/stats/states?asOf=<date>&knownAt=<knownAt>` does (docs/regulation.md §9.6): every ' +
      'case in the state its last event (by revision) that occurred by the end of the date (WIB) and was recorded by ' +
      '`knownAt` led to. A retraction therefore moves a case back at its own business date.',
  })
  @ApiAnswers({
    description: 'Counts per state for every date of the range',
    schema: StateCountsDailyRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiQuery(SERIES_QUERIES[0])
  @ApiQuery(SERIES_QUERIES[1])
  @ApiQuery(SERIES_QUERIES[2])
  async statesDaily(@Query() query: unknown) {
    const { from, to, knownAt } = parseInput(SeriesQuery, query, 'query');
    const series = await this.runtime.readModels.getStateCountsDaily(from, to, { knownAt });
    return { ...series, knownAt: shownKnownAt(knownAt) };
  }

  @Get('blocklist/daily')
  @ApiOperation({
    operationId: 'getBlocklistDaily',
    summary: 'The blocklist’s size at the end of every business date of a range, as known at knownAt',
    description:
      'The size counts listed (domain, case) pairs, as `GET /v1/blocklist` lists them; `added` and `removed` are the ' +
      'listings that date brought and took away. Dates are read like `GET /v1/stats/states/daily`: the last date ' +
      'after every event gives the size of the current list.',
  })
  @ApiAnswers({
    description: 'Size, additions and removals for every date of the range',
    schema: BlocklistDailyRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiQuery(SERIES_QUERIES[0])
  @ApiQuery(SERIES_QUERIES[1])
  @ApiQuery(SERIES_QUERIES[2])
  async blocklistDaily(@Query() query: unknown) {
    const { from, to, knownAt } = parseInput(SeriesQuery, query, 'query');
    const series = await this.runtime.readModels.getBlocklistDaily(from, to, { knownAt });
    return { ...series, knownAt: shownKnownAt(knownAt) };
  }

  @Get('blocklist/latest-changes')
  @ApiOperation({
    operationId: 'getLatestBlocklistChanges',
    summary: 'The latest lines of the blocklist change feed, newest first',
    description:
      'For people: the last `limit` (default 20, at most 200) additions and removals as recorded. Services poll ' +
      '`GET /v1/blocklist/changes?after=` instead.',
  })
  @ApiAnswers({
    description: 'The newest change-feed lines',
    schema: LatestBlocklistChangesRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiQuery({ name: 'limit', required: false })
  async latestBlocklistChanges(@Query() query: unknown) {
    const { limit } = parseInput(LatestQuery, query, 'query');
    const changes = await this.runtime.readModels.getLatestBlocklistChanges(limit);
    return { changes: changes.map((c) => ({ ...c, at: wib(c.at) })) };
  }

  @Get('warning-to-registration/days')
  @ApiOperation({
    operationId: 'getWarningToRegistrationDays',
    summary: 'The distribution of whole days from a written warning to registration',
    description:
      'Registered cases per whole number of days (rounded down) from their first warning to their registration, ' +
      'fewest first, with the figures of `GET /v1/stats/warning-to-registration` over every case.',
  })
  @ApiAnswers({
    description: 'Cases per whole day, and the figures',
    schema: WarningToRegistrationDaysRef,
    problems: [...GUARDED, 503],
  })
  async warningToRegistrationDays() {
    const { registered, pending, medianDays, averageDays } =
      await this.runtime.readModels.getWarningToRegistration({ limit: 1 });
    const buckets = await this.runtime.readModels.getWarningToRegistrationDays();
    return { registered, pending, medianDays, averageDays, buckets };
  }
}
