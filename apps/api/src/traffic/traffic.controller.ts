import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import {
  DiscoveryCandidateNotFound,
  DiscoveryDomainInvalid,
  openCaseFromDiscovery,
  parseTrafficLines,
  type SanksiRuntime,
  TrafficCsvHeaderInvalid,
  type TrafficIngestReport,
  type TrafficRowResult,
  validateTrafficRow,
} from '@sanksi/application';
import { PolicyId, PseId, trafficPeriodProblem, TrafficSource } from '@sanksi/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Caller } from '../auth/api-key.guard';
import { Allow, COMMAND_ROLES, QUERY_ROLES } from '../auth/roles';
import { commandContext, respond } from '../cases/command-runner';
import { ApiPseIdParam, PseIdParam } from '../cases/pse-id.param';
import { HttpProblem, InvalidRequest } from '../http/problem';
import { parseInput } from '../http/parse-input';
import { ApiAnswers } from '../openapi/api-answers.decorator';
import { CommandAnswerRef } from '../openapi/case-schemas';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import {
  CaseTrafficRef,
  DiscoveryCandidatesRef,
  TrafficIngestAnswerRef,
  TrafficObservationRef,
} from './traffic-schemas';

const Period = z.string().superRefine((value, ctx) => {
  const problem = trafficPeriodProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const IngestQuery = z.strictObject({ source: TrafficSource.optional(), period: Period.optional() });
const DiscoveryQuery = z.strictObject({
  period: Period.optional(),
  minVisits: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const OpenCaseBody = z.strictObject({
  pseId: PseId.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  origin: z.enum(['domestic', 'foreign']).optional(),
  policy: PolicyId.optional(),
  period: Period.optional(),
});
// A JSON body holds at most this many items; larger loads go through the file import or Kafka.
const MAX_ITEMS = 100_000;

type RequestWithCaller = FastifyRequest & { caller?: Caller };

/** Traffic observations in, discovery candidates out, and a candidate turned into a case (issue 14). */
@ApiTags('traffic')
@ApiBearerAuth()
@Controller('v1')
export class TrafficController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Post('traffic/observations')
  @Allow('service', 'admin')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'recordTrafficObservations',
    summary: 'Record traffic observations (a JSON array, or CSV with a header line) as facts',
    description:
      'Every row is validated: the good ones are recorded once per (domain, period, source) and the refused ones are ' +
      'listed with their line (CSV, header = 1) or item number (JSON, from 1) and reason. A body in which no row is ' +
      'valid is a 400 with the same list. `source` and `period` fill rows that leave them out.',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    examples: {
      json: {
        summary: 'A JSON array',
        value: [
          { domain: 'newshop.example', period: '2022-07', visits: 1200000, rank: 12, source: 'similarweb' },
        ],
      },
      csv: {
        summary: 'CSV (send as text/csv)',
        value: 'domain,period,visits,rank,source\nnewshop.example,2022-07,1200000,12,similarweb\n',
      },
    },
    schema: {
      oneOf: [
        { type: 'array', items: TrafficObservationRef, maxItems: MAX_ITEMS },
        { type: 'string', description: 'CSV: domain,period,visits,rank,source (a header line first)' },
      ],
    },
  })
  @ApiQuery({ name: 'source', required: false })
  @ApiQuery({ name: 'period', required: false })
  @ApiAnswers({
    description: 'What was recorded, repeated and refused',
    schema: TrafficIngestAnswerRef,
    problems: [400, 401, 403, 413, 415, 503],
  })
  async record(@Body() body: unknown, @Query() query: unknown, @Req() request: RequestWithCaller) {
    const defaults = parseInput(IngestQuery, query, 'query');
    let rows: AsyncIterable<TrafficRowResult> | TrafficRowResult[];
    if (typeof body === 'string') {
      rows = parseTrafficLines(body.split('\n'), 'csv', defaults);
    } else if (Array.isArray(body)) {
      if (body.length > MAX_ITEMS) {
        throw new InvalidRequest([{ field: 'body', message: `at most ${MAX_ITEMS} items per request` }]);
      }
      rows = body.map((item, i) => validateTrafficRow(i + 1, item, defaults));
    } else {
      throw new InvalidRequest([{ field: 'body', message: 'a JSON array of observations, or text/csv' }]);
    }
    const caller = request.caller ?? { id: 'anonymous', role: 'service' as const };
    let report: TrafficIngestReport;
    try {
      report = await this.runtime.traffic.ingest(rows, {
        actor: { id: caller.id, role: caller.role },
        correlationId: typeof request.id === 'string' ? request.id : null,
      });
    } catch (e) {
      if (e instanceof TrafficCsvHeaderInvalid)
        throw new InvalidRequest([{ field: 'body', message: e.message }]);
      throw e;
    }
    if (report.rows === 0)
      throw new InvalidRequest([{ field: 'body', message: 'no observations in the body' }]);
    if (report.rejected === report.rows) {
      throw new HttpProblem(
        400,
        'No valid observation',
        `all ${report.rows} rows were refused; nothing was recorded`,
        {
          invalidFields: report.rejections
            .slice(0, 100)
            .map((r) => ({ field: `row ${r.line}`, message: r.reason })),
          ...report,
        },
      );
    }
    return report;
  }

  @Get('discovery')
  @Allow(...QUERY_ROLES)
  @ApiOperation({
    operationId: 'listDiscoveryCandidates',
    summary: 'High-traffic domains with no case and no registration, ranked',
    description:
      'Largest visits first (any source), then best rank, then name. `period` picks one period (YYYY-MM, a day or ' +
      'a range as recorded); without it each domain counts with its latest period. `minVisits` drops smaller ones.',
  })
  @ApiQuery({ name: 'period', required: false })
  @ApiQuery({ name: 'minVisits', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiAnswers({
    description: 'The candidates, ranked',
    schema: DiscoveryCandidatesRef,
    problems: [400, 401, 403, 503],
  })
  async discovery(@Query() query: unknown) {
    const q = parseInput(DiscoveryQuery, query, 'query');
    return { period: q.period ?? null, candidates: await this.runtime.readModels.findDiscoveryCandidates(q) };
  }

  @Post('discovery/:domain/cases')
  @Allow(...COMMAND_ROLES)
  @ApiOperation({
    operationId: 'openCaseFromDiscovery',
    summary:
      'Open a case for a discovery candidate (PseIdentified, source traffic-monitoring, the observation as evidence)',
    description:
      'The case id defaults to `traffic-<domain>`, its name to the domain and its origin to foreign. 404 when the domain ' +
      'is not a candidate (no traffic observed, or a case already covers it).',
  })
  @ApiParam({ name: 'domain', example: 'newshop.example' })
  @ApiAnswers({
    status: 201,
    description: 'The case opened',
    schema: CommandAnswerRef,
    headers: {
      Location: { description: 'The case: `/v1/cases/{pseId}`', schema: { type: 'string' } },
      ETag: { description: 'The case version after the command, e.g. `"1"`', schema: { type: 'string' } },
    },
    problems: [400, 401, 403, 404, 409, 503],
  })
  async openCase(
    @Param('domain') domain: string,
    @Body() body: unknown,
    @Req() request: RequestWithCaller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const options = parseInput(OpenCaseBody, body ?? {}, 'body');
    try {
      const { outcome } = await openCaseFromDiscovery(
        this.runtime,
        { ...options, domain },
        commandContext(request, undefined),
      );
      return respond(request, reply, outcome);
    } catch (e) {
      if (e instanceof DiscoveryDomainInvalid)
        throw new InvalidRequest([{ field: 'path.domain', message: e.reason }]);
      if (e instanceof DiscoveryCandidateNotFound) {
        throw new HttpProblem(404, 'Not a discovery candidate', e.message, {
          domain: e.domain,
          period: e.period,
        });
      }
      throw e;
    }
  }

  @Get('cases/:pseId/traffic')
  @Allow(...QUERY_ROLES)
  @ApiOperation({
    operationId: 'getCaseTraffic',
    summary:
      'The traffic trend of a case: its domains per period (largest visits and best rank of any source)',
  })
  @ApiPseIdParam()
  @ApiAnswers({
    description: 'Oldest period first',
    schema: CaseTrafficRef,
    problems: [400, 401, 403, 404, 503],
  })
  async caseTraffic(@PseIdParam() pseId: string) {
    if (!(await this.runtime.readModels.getCaseSummary(pseId))) {
      throw new HttpProblem(404, 'Case not found', `no case ${pseId}`, { pseId });
    }
    return { pseId, points: await this.runtime.readModels.getCaseTraffic(pseId) };
  }
}
