import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import { CaseNotFound, CaseState, effectiveHistory, Instant, PolicyId } from '@sanksi/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Allow, QUERY_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { ApiAnswers, GUARDED } from '../openapi/api-answers.decorator';
import {
  CaseAsOfRef,
  CaseEventsRef,
  CaseListRef,
  CaseReplayRef,
  CaseTimelineRef,
  CaseViewRef,
  EvidencePackRef,
} from '../openapi/case-schemas';
import { type ProblemStatus } from '../openapi/problem-schemas';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { CASE_SORTS } from '@sanksi/read-models';
import { toCaseView } from './case-view';
import { notModified } from './conditional-get';
import { ApiPseIdParam, PseIdParam } from './pse-id.param';

const ListCasesQuery = z.strictObject({
  state: CaseState.optional(),
  origin: z.enum(['domestic', 'foreign']).optional(),
  policy: PolicyId.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  deadlineBefore: Instant.optional(),
  sort: z.enum(CASE_SORTS).default('id'),
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

const ON_A_CASE: ProblemStatus[] = [400, ...GUARDED, 404, 503];
const IF_NONE_MATCH = {
  name: 'If-None-Match',
  required: false,
  description:
    'The ETag of a copy the client holds (the case version, e.g. `"3"`): 304 while the case is unchanged',
} as const;
const ETAG = { ETag: { description: 'The case version, e.g. `"3"`', schema: { type: 'string' } } };
const NOT_MODIFIED = {
  status: 304 as const,
  description: 'Not modified: the case is still at the version `If-None-Match` names (no body)',
  headers: ETAG,
};

/** Queries of cases: projections for lists and summaries, the event log for history (docs/regulation.md §15.2). */
@ApiTags('cases')
@ApiBearerAuth()
@Allow(...QUERY_ROLES)
@Controller('v1/cases')
export class CaseQueriesController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get()
  @ApiOperation({
    operationId: 'listCases',
    summary: 'List cases: filter by state, origin, policy, text (q) and deadline; cursor pagination',
  })
  @ApiAnswers({ description: 'One page of cases', schema: CaseListRef, problems: [400, ...GUARDED, 503] })
  @ApiQuery({ name: 'state', required: false, enum: CaseState.options })
  @ApiQuery({ name: 'origin', required: false, enum: ['domestic', 'foreign'] })
  @ApiQuery({ name: 'policy', required: false, enum: PolicyId.options })
  @ApiQuery({ name: 'q', required: false })
  @ApiQuery({ name: 'deadlineBefore', required: false })
  @ApiQuery({
    name: 'sort',
    required: false,
    enum: [...CASE_SORTS],
    description:
      '`id` (default), `name` (ignoring case), `state` (then substate), `policy`, `deadline` (the next one; none last), ' +
      '`updated` or `outstanding` (fines owed), each then by case id; `-name` etc. reverse the whole order. ' +
      '`traffic`: open cases with the most visited domains first (docs/decisions/0008). A `cursor` fits only the order ' +
      'it came from.',
  })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Query() query: unknown) {
    const page = await this.runtime.readModels.listCases(parseInput(ListCasesQuery, query, 'query'));
    return { items: page.items.map(toCaseView), nextCursor: page.nextCursor };
  }

  @Get(':pseId')
  @ApiPseIdParam()
  @ApiOperation({ operationId: 'getCase', summary: 'The case summary (projection); ETag is its version' })
  @ApiHeader(IF_NONE_MATCH)
  @ApiAnswers({
    description: 'The case',
    schema: CaseViewRef,
    headers: ETAG,
    alsoOk: [NOT_MODIFIED],
    problems: ON_A_CASE,
  })
  async summary(
    @PseIdParam() pseId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const row = await this.runtime.readModels.getCaseSummary(pseId);
    if (!row) throw new CaseNotFound(pseId);
    if (notModified(request, reply, row.version)) return undefined;
    return toCaseView(row);
  }

  @Get(':pseId/events')
  @ApiPseIdParam()
  @ApiOperation({
    operationId: 'getCaseEvents',
    summary: 'The stored events of the case, oldest first (authoritative)',
    description:
      '`view=log` (default): every stored event. `view=effective`: the history as it stands — without ' +
      'ConsequencesRetracted markers and the automatic events they retracted (docs/decisions/0004). ' +
      '`version` is always the stream version (the count of stored events).',
  })
  @ApiQuery({ name: 'view', required: false, enum: ['log', 'effective'] })
  @ApiHeader(IF_NONE_MATCH)
  @ApiAnswers({
    description: 'The events of the case',
    schema: CaseEventsRef,
    headers: ETAG,
    alsoOk: [NOT_MODIFIED],
    problems: ON_A_CASE,
  })
  async events(
    @PseIdParam() pseId: string,
    @Query() query: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { view } = parseInput(EventsQuery, query, 'query');
    const events = await this.runtime.history.events(pseId);
    // The stream only grows, so its length names this answer for either view.
    if (notModified(request, reply, events.length)) return undefined;
    return {
      pseId,
      version: events.length,
      view,
      events: view === 'effective' ? effectiveHistory(events) : events,
    };
  }

  @Get(':pseId/timeline')
  @ApiPseIdParam()
  @ApiOperation({
    operationId: 'getCaseTimeline',
    summary: 'The case timeline: one human-readable line per event',
  })
  @ApiAnswers({ description: 'The timeline', schema: CaseTimelineRef, problems: ON_A_CASE })
  async timeline(@PseIdParam() pseId: string) {
    const rows = await this.runtime.readModels.getTimeline(pseId);
    if (rows.length === 0) throw new CaseNotFound(pseId);
    return { pseId, entries: rows };
  }

  @Get(':pseId/state')
  @ApiPseIdParam()
  @ApiOperation({
    operationId: 'getCaseAsOf',
    summary: 'The case as it stood at business time asOf, as known at record time knownAt',
  })
  @ApiAnswers({ description: 'The case at that point', schema: CaseAsOfRef, problems: ON_A_CASE })
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
  @ApiPseIdParam()
  @ApiOperation({
    operationId: 'replayCase',
    summary: 'Every step of the case: the event, the state after it, and the transition taken',
  })
  @ApiAnswers({ description: 'The replay', schema: CaseReplayRef, problems: ON_A_CASE })
  async replay(@PseIdParam() pseId: string) {
    return { pseId, steps: await this.runtime.history.replay(pseId) };
  }

  @Get(':pseId/evidence')
  @ApiPseIdParam()
  @ApiOperation({
    operationId: 'getEvidencePack',
    summary: 'The signed, hash-chained evidence pack of the case (verifiable offline)',
  })
  @ApiAnswers({
    description: 'The evidence pack (as an attachment)',
    schema: EvidencePackRef,
    problems: ON_A_CASE,
  })
  async evidence(@PseIdParam() pseId: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const pack = await this.runtime.history.evidence(pseId);
    void reply.header('content-disposition', `attachment; filename="evidence-${pseId}.json"`);
    return pack;
  }
}
