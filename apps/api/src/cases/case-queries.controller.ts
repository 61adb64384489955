import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import { CaseNotFound, CaseState, effectiveHistory, Instant } from '@sanksi/domain';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Allow, QUERY_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { toCaseView } from './case-view';
import { PseIdParam } from './pse-id.param';

const ListCasesQuery = z.strictObject({
  state: CaseState.optional(),
  origin: z.enum(['domestic', 'foreign']).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  deadlineBefore: Instant.optional(),
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
/**
 * A time bound of the state route: an instant, or a business date `YYYY-MM-DD` meaning the end of that day
 * in WIB, the zone the regulation runs on (as `GET /v1/stats/states` reads a date).
 */
const TimeBound = z.union([Instant, z.iso.date().transform((date) => `${date}T23:59:59.999+07:00`)]);
const EventsQuery = z.strictObject({ view: z.enum(['log', 'effective']).default('log') });
const StateQuery = z.strictObject({ asOf: TimeBound.optional(), knownAt: TimeBound.optional() });

/** Queries of cases: projections for lists and summaries, the event log for history (docs/regulation.md §15.2). */
@ApiTags('cases')
@ApiBearerAuth()
@Allow(...QUERY_ROLES)
@Controller('v1/cases')
export class CaseQueriesController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get()
  @ApiOperation({ summary: 'List cases: filter by state, origin, text (q) and deadline; cursor pagination' })
  @ApiQuery({ name: 'state', required: false, enum: CaseState.options })
  @ApiQuery({ name: 'origin', required: false, enum: ['domestic', 'foreign'] })
  @ApiQuery({ name: 'q', required: false })
  @ApiQuery({ name: 'deadlineBefore', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Query() query: unknown) {
    const page = await this.runtime.readModels.listCases(parseInput(ListCasesQuery, query, 'query'));
    return { items: page.items.map(toCaseView), nextCursor: page.nextCursor };
  }

  @Get(':pseId')
  @ApiOperation({ summary: 'The case summary (projection); ETag is its version' })
  async summary(@PseIdParam() pseId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const row = await this.runtime.readModels.getCaseSummary(pseId);
    if (!row) throw new CaseNotFound(pseId);
    const view = toCaseView(row);
    void reply.header('etag', `"${view.version}"`);
    return view;
  }

  @Get(':pseId/events')
  @ApiOperation({
    summary: 'The stored events of the case, oldest first (authoritative)',
    description:
      '`view=log` (default): every stored event. `view=effective`: the history as it stands — without ' +
      'ConsequencesRetracted markers and the automatic events they retracted (docs/decisions/0004). ' +
      '`version` is always the stream version (the count of stored events).',
  })
  @ApiQuery({ name: 'view', required: false, enum: ['log', 'effective'] })
  async events(@PseIdParam() pseId: string, @Query() query: unknown) {
    const { view } = parseInput(EventsQuery, query, 'query');
    const events = await this.runtime.history.events(pseId);
    return {
      pseId,
      version: events.length,
      view,
      events: view === 'effective' ? effectiveHistory(events) : events,
    };
  }

  @Get(':pseId/timeline')
  @ApiOperation({ summary: 'The case timeline: one human-readable line per event' })
  async timeline(@PseIdParam() pseId: string) {
    const rows = await this.runtime.readModels.getTimeline(pseId);
    if (rows.length === 0) throw new CaseNotFound(pseId);
    return { pseId, entries: rows };
  }

  @Get(':pseId/state')
  @ApiOperation({ summary: 'The case as it stood at business time asOf, as known at record time knownAt' })
  @ApiQuery({ name: 'asOf', required: false, description: 'An ISO instant, or YYYY-MM-DD (its end in WIB)' })
  @ApiQuery({
    name: 'knownAt',
    required: false,
    description: 'An ISO instant, or YYYY-MM-DD (its end in WIB)',
  })
  state(@PseIdParam() pseId: string, @Query() query: unknown) {
    return this.runtime.history.stateAsOf(pseId, parseInput(StateQuery, query, 'query'));
  }

  @Get(':pseId/replay')
  @ApiOperation({
    summary: 'Every step of the case: the event, the state after it, and the transition taken',
  })
  async replay(@PseIdParam() pseId: string) {
    return { pseId, steps: await this.runtime.history.replay(pseId) };
  }

  @Get(':pseId/evidence')
  @ApiOperation({ summary: 'The signed, hash-chained evidence pack of the case (verifiable offline)' })
  async evidence(@PseIdParam() pseId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const pack = await this.runtime.history.evidence(pseId);
    void reply.header('content-disposition', `attachment; filename="evidence-${pseId}.json"`);
    return pack;
  }
}
