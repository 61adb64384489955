import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import { localDate } from '@sanksi/domain';
import { z } from 'zod';
import { Allow, QUERY_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { toRegistryView } from '../cases/case-view';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';

const DateOnly = z.iso.date();
/** A business date (YYYY-MM-DD, WIB) or an instant (its WIB date). */
const BusinessDate = z.union([
  DateOnly,
  z.iso.datetime({ offset: true }).transform((i) => localDate(i, 'WIB')),
]);
const StatesQuery = z.strictObject({ asOf: BusinessDate.optional() });
const RangeQuery = z
  .strictObject({ from: DateOnly, to: DateOnly })
  .refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['from'] });
const DeadlinesQuery = z.strictObject({ before: z.iso.datetime({ offset: true }).optional() });
const LimitQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** Analysts' statistics over the projections (SPEC §5). */
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
  @ApiOperation({
    summary: 'How many cases were in each state at the end of a business date (default today)',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'YYYY-MM-DD (WIB) or an ISO instant' })
  states(@Query() query: unknown) {
    const { asOf } = parseInput(StatesQuery, query, 'query');
    return this.runtime.readModels.getStateCounts(asOf ?? this.today());
  }

  @Get('stats/transitions')
  @ApiOperation({ summary: 'State transitions per business day between two dates' })
  @ApiQuery({ name: 'from' })
  @ApiQuery({ name: 'to' })
  async transitions(@Query() query: unknown) {
    const { from, to } = parseInput(RangeQuery, query, 'query');
    return { from, to, days: await this.runtime.readModels.getTransitionsPerDay(from, to) };
  }

  @Get('stats/fines')
  @ApiOperation({ summary: 'Fines imposed, paid and annulled per month (rupiah)' })
  async fines() {
    return { months: await this.runtime.readModels.getFinesPerMonth() };
  }

  @Get('stats/warning-to-registration')
  @ApiOperation({ summary: 'How long operators took from a written warning to registration' })
  warningToRegistration() {
    return this.runtime.readModels.getWarningToRegistration();
  }

  @Get('stats/deadlines')
  @ApiOperation({ summary: 'Pending deadlines due before an instant (default now)' })
  @ApiQuery({ name: 'before', required: false })
  async deadlines(@Query() query: unknown) {
    const { before } = parseInput(DeadlinesQuery, query, 'query');
    const at = before ?? this.runtime.clock.now().toISOString();
    return { before: at, deadlines: await this.runtime.readModels.getDueDeadlines(at) };
  }

  @Get('stats/escalation-queue')
  @ApiOperation({ summary: 'Cases awaiting an operator after an elapsed deadline, largest traffic first' })
  async escalationQueue() {
    return { entries: await this.runtime.readModels.getEscalationQueue() };
  }

  @Get('stats/discovery')
  @ApiOperation({ summary: 'High-traffic domains with no case and no registration (candidates)' })
  @ApiQuery({ name: 'limit', required: false })
  async discovery(@Query() query: unknown) {
    const { limit } = parseInput(LimitQuery, query, 'query');
    return {
      candidates: await this.runtime.readModels.getDiscoveryCandidates(limit),
      openCasesByTraffic: await this.runtime.readModels.getOpenCasesByTraffic(limit),
    };
  }

  @Get('registry')
  @ApiOperation({ summary: 'The public register of certificates (like the ministry site)' })
  @ApiQuery({ name: 'q', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async registry(@Query() query: unknown) {
    const q = parseInput(
      z.strictObject({
        q: z.string().trim().min(1).max(200).optional(),
        cursor: z.string().min(1).max(500).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      query,
      'query',
    );
    const page = await this.runtime.readModels.getRegistry(q);
    return { items: page.items.map(toRegistryView), nextCursor: page.nextCursor };
  }
}
