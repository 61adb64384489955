import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import { CASE_STREAM_CATEGORY } from '@sanksi/application';
import { toCaseEventBody } from '@sanksi/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Allow, FEED_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';

const Position = z.coerce.number().int().min(0);
const EventsQuery = z.strictObject({
  after: Position.default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
const StreamQuery = z.strictObject({ after: Position.optional() });

/** The global event log for services that poll or stream it (SSE). */
@ApiTags('feeds')
@ApiBearerAuth()
@Allow(...FEED_ROLES)
@Controller('v1/events')
export class EventsController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get()
  @ApiOperation({ summary: 'Events in global order after a position (poll with the last position seen)' })
  @ApiQuery({ name: 'after', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Query() query: unknown) {
    const { after, limit } = parseInput(EventsQuery, query, 'query');
    const events = await this.runtime.eventStore.readAll({ after, limit, category: CASE_STREAM_CATEGORY });
    const bodies = events.map(toCaseEventBody);
    return { after, position: bodies.length ? bodies[bodies.length - 1].position : after, events: bodies };
  }

  @Get('stream')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Server-sent events: catch up from `after` (or Last-Event-ID), then live' })
  @ApiQuery({ name: 'after', required: false })
  async stream(
    @Query() query: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { after } = parseInput(StreamQuery, query, 'query');
    const lastEventId = request.headers['last-event-id'];
    const from =
      after ?? (typeof lastEventId === 'string' && /^\d+$/.test(lastEventId) ? Number(lastEventId) : 0);
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
    try {
      for await (const event of this.runtime.eventStore.subscribe({
        after: from,
        category: CASE_STREAM_CATEGORY,
        signal: abort.signal,
      })) {
        const body = toCaseEventBody(event);
        const ok = out.write(`id: ${body.position}\nevent: ${body.type}\ndata: ${JSON.stringify(body)}\n\n`);
        if (!ok) await new Promise((resolve) => out.once('drain', resolve));
      }
    } catch (e) {
      if (!abort.signal.aborted) this.runtime.logger.warn({ err: e }, 'event stream ended with an error');
    } finally {
      stop();
      out.end();
    }
  }
}
