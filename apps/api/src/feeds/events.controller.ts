import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import { CASE_STREAM_CATEGORY, fromRecorded, toCaseEventBody } from '@sanksi/contracts';
import type { RecordedEvent } from '@sanksi/event-store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Caller } from '../auth/api-key.guard';
import { Allow, FEED_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { EventFanOut } from './event-fan-out';
import { ApiAnswers, GUARDED } from '../openapi/api-answers.decorator';
import { EventFeedRef } from '../openapi/read-schemas';

const Position = z.coerce.number().int().min(0);
const EventsQuery = z.strictObject({
  after: Position.default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
// `after=now`: only what is appended from here on, for a client that shows live events and has no position
// of its own (the web console); without it a new client would first be sent the whole log.
const StreamQuery = z.strictObject({ after: z.union([z.literal('now'), Position]).optional() });

/** The global event log for services that poll or stream it (SSE). */
@ApiTags('feeds')
@ApiBearerAuth()
@Allow(...FEED_ROLES)
@Controller('v1/events')
export class EventsController {
  constructor(
    @Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime,
    private readonly fanOut: EventFanOut,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'Events in global order after a position (poll with the last position seen)',
  })
  @ApiAnswers({
    description: 'The events after `after`',
    schema: EventFeedRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiQuery({ name: 'after', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Query() query: unknown) {
    const { after, limit } = parseInput(EventsQuery, query, 'query');
    const events = await this.runtime.eventStore.readAll({ after, limit, category: CASE_STREAM_CATEGORY });
    const bodies = events.map((event) => toCaseEventBody(fromRecorded(event), event.position));
    return { after, position: bodies.length ? bodies[bodies.length - 1].position : after, events: bodies };
  }

  @Get('stream')
  @ApiProduces('text/event-stream')
  @ApiAnswers({
    description: 'An event stream: each event as `id: <position>`, `event: <type>`, `data: <FeedEvent JSON>`',
    schema: { type: 'string' },
    contentTypes: { 'text/event-stream': { schema: { type: 'string' } } },
    problems: [400, ...GUARDED, 429, 503],
  })
  @ApiOperation({
    operationId: 'streamEvents',
    summary:
      'Server-sent events: catch up from `after` (or Last-Event-ID), then live; capped per API key (429) and in total (503)',
  })
  @ApiQuery({
    name: 'after',
    required: false,
    description:
      'A position to catch up from, or `now` for live events only (default: Last-Event-ID, else 0)',
    schema: {
      oneOf: [
        { type: 'integer', minimum: 0 },
        { type: 'string', enum: ['now'] },
      ],
    },
  })
  async stream(
    @Query() query: unknown,
    @Req() request: FastifyRequest & { caller?: Caller },
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { after } = parseInput(StreamQuery, query, 'query');
    const lastEventId = request.headers['last-event-id'];
    const resumeFrom =
      typeof lastEventId === 'string' && /^\d+$/.test(lastEventId) ? Number(lastEventId) : null;
    // A reconnecting client's Last-Event-ID wins over `now`: it must not lose what came while it was away.
    const from =
      after === 'now'
        ? (resumeFrom ?? (await this.runtime.eventStore.headPosition()))
        : (after ?? resumeFrom ?? 0);
    // Admitted before the response starts, so a refusal is still an ordinary problem+json answer.
    const subscription = await this.fanOut.subscribe(request.caller?.id ?? 'anonymous');
    const abort = new AbortController();
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    out.write(': sanksi event stream\n\n');
    const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
    const stop = () => {
      clearInterval(heartbeat);
      abort.abort();
    };
    request.raw.on('close', stop);
    let last = from;
    const send = async (events: readonly RecordedEvent[]) => {
      for (const event of events) {
        if (event.position <= last) continue;
        last = event.position;
        const body = toCaseEventBody(fromRecorded(event), event.position);
        const ok = out.write(`id: ${body.position}\nevent: ${body.type}\ndata: ${JSON.stringify(body)}\n\n`);
        if (!ok) await new Promise((resolve) => out.once('drain', resolve));
      }
    };
    try {
      // Catch-up is this client's own reading, page by page; live events come from the shared reader.
      for (;;) {
        if (abort.signal.aborted || subscription.endReason) break;
        const page = await this.runtime.eventStore.readAll({
          after: last,
          limit: 500,
          category: CASE_STREAM_CATEGORY,
        });
        if (page.length === 0) break;
        await send(page);
      }
      for (;;) {
        const events = await subscription.next(abort.signal);
        if (events === null) break;
        await send(events);
      }
      if (subscription.endReason === 'too-slow') {
        out.write(`: this client fell too far behind; reconnect with Last-Event-ID: ${last}\n\n`);
      } else if (subscription.endReason === 'shutdown') {
        out.write(`: the server is shutting down; reconnect with Last-Event-ID: ${last}\n\n`);
      }
    } catch (e) {
      if (!abort.signal.aborted) this.runtime.logger.warn({ err: e }, 'event stream ended with an error');
    } finally {
      subscription.release();
      stop();
      out.end();
    }
  }
}
