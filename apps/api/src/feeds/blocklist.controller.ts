import { Readable, type Writable } from 'node:stream';
import { Controller, Get, Inject, type OnApplicationBootstrap, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import type { BlocklistFeedEntry } from '@sanksi/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Allow, FEED_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { wib } from '../cases/case-view';
import { matchesIfNoneMatch } from '../cases/conditional-get';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import {
  BLOCKLIST_FORMATS,
  type DroppedBlocklistEntry,
  publishableChange,
  type PublishedBlocklistChange,
} from './blocklist-formats';
import { BlocklistChangePages } from './blocklist-change-pages';
import { acceptsGzip, BlocklistRenderings, gzipEtag } from './blocklist-renderings';
import { FreshProbe } from './fresh-probe';
import { ApiAnswers, GUARDED } from '../openapi/api-answers.decorator';
import { BlocklistChangesRef, BlocklistRef } from '../openapi/read-schemas';

const BlocklistQuery = z.strictObject({ format: z.enum(BLOCKLIST_FORMATS).default('json') });
const ChangesQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/**
 * The kept chunks of a rendering as the answer's body, each handed to the socket as it is (referenced,
 * never copied into one buffer). Fastify pipes a stream payload into the response; this one writes every
 * chunk at once instead, the socket corked so that they leave in one `writev`: a pipe would wait for the
 * socket to drain after each (a chunk is hundreds of kilobytes, the response's buffer 16 KiB), a turn of
 * the event loop each. Nothing is held that the rendering does not hold already.
 */
class ChunksStream extends Readable {
  constructor(private readonly chunks: readonly Buffer[]) {
    super({ read: () => undefined });
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    const response = destination as unknown as Writable;
    response.cork();
    for (const chunk of this.chunks) response.write(chunk);
    if (options?.end === false) process.nextTick(() => response.uncork());
    else response.end();
    // The stream itself is then done: Fastify waits for its end as for any stream's.
    this.push(null);
    this.resume();
    return destination;
  }
}

/** A page of the change feed: the lines after `after`, and the position to poll after next. */
interface ChangesAnswer {
  after: number;
  position: number;
  changes: PublishedBlocklistChange[];
}

/** The blocklist internet providers apply (a projection), and its change feed by position. */
@ApiTags('feeds')
@ApiBearerAuth()
@Allow(...FEED_ROLES)
@Controller('v1/blocklist')
export class BlocklistController implements OnApplicationBootstrap {
  private readonly renderings: BlocklistRenderings;
  /** Pages of the change feed as the JSON bytes answered (encoded once a page, not once a request). */
  private readonly changePages: BlocklistChangePages<Buffer>;

  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {
    // Every poll of either route first reads the feed's newest position: one read serves the polls in step.
    const version = new FreshProbe(() => runtime.readModels.getBlocklistVersion());
    const source = {
      getBlocklistVersion: () => version.get(),
      getBlocklist: () => runtime.readModels.getBlocklist(),
      getBlocklistChanges: (after: number, limit?: number) =>
        runtime.readModels.getBlocklistChanges(after, limit),
    };
    this.renderings = new BlocklistRenderings(source, wib, (d) => this.dropped(d));
    this.changePages = new BlocklistChangePages(source, (after, page) =>
      Buffer.from(JSON.stringify(this.changesAnswer(after, page))),
    );
  }

  /**
   * Reads the list ahead, in the background, as the server starts: the first poller after a start (a
   * deploy, a restart) would otherwise wait for the whole list to be read — about 3 s at a million systems.
   * Not awaited (readiness does not wait for it); a failure only leaves the read to the first request.
   */
  onApplicationBootstrap(): void {
    this.renderings.warm().catch((error: unknown) => {
      this.runtime.logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        'the blocklist was not read ahead: the first request reads it',
      );
    });
  }

  /** A recorded domain that is no host name is left out of every format, with a warning for operators. */
  private readonly dropped = (d: DroppedBlocklistEntry): void => {
    this.runtime.logger.warn(
      { pseId: d.pseId, domain: JSON.stringify(d.domain), kind: d.kind ?? 'domain', rule: d.refusal.rule },
      `blocklist entry left out: ${d.refusal.message}`,
    );
  };

  @Get()
  @ApiOperation({
    operationId: 'getBlocklist',
    summary: 'Every domain currently blocked: json, txt, hosts, rpz or csv',
  })
  @ApiAnswers({
    description:
      'The blocklist in the asked format (`X-Blocklist-Position`: the change-feed position it is as of); ' +
      'gzip-encoded when `Accept-Encoding` accepts it, under an ETag of its own',
    schema: BlocklistRef,
    contentTypes: {
      'application/json': { schema: BlocklistRef },
      'text/plain': { schema: { type: 'string' }, example: 'shop.example\n' },
      'text/csv': { schema: { type: 'string' } },
    },
    problems: [400, ...GUARDED, 503],
  })
  @ApiQuery({ name: 'format', required: false, enum: BLOCKLIST_FORMATS })
  async blocklist(
    @Query() query: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { format } = parseInput(BlocklistQuery, query, 'query');
    // Kept per format until the next change: feed pollers cost a probe of the newest change, and a
    // poller sending the ETag it has gets 304 with no body while nothing changed.
    const rendering = await this.renderings.current(format);
    // gzip when accepted (compressed once per rendering), under an ETag of its own (RFC 9110 §8.8.3).
    const gzip = acceptsGzip(request.headers['accept-encoding']);
    const etag = gzip ? gzipEtag(rendering.etag) : rendering.etag;
    void reply.header('x-blocklist-position', String(rendering.position));
    void reply.header('vary', 'accept-encoding');
    void reply.header('etag', etag);
    const inm = request.headers['if-none-match'];
    if (matchesIfNoneMatch(Array.isArray(inm) ? inm.join(',') : inm, etag)) {
      void reply.status(304);
      return undefined;
    }
    void reply.header('content-type', rendering.contentType);
    if (!gzip) {
      // The kept chunks, one after the other: never copied into one buffer (megabytes at a million systems).
      void reply.header('content-length', String(rendering.length));
      return new ChunksStream(rendering.chunks);
    }
    void reply.header('content-encoding', 'gzip');
    return this.renderings.gzipOf(rendering);
  }

  @Get('changes')
  @ApiOperation({
    operationId: 'getBlocklistChanges',
    summary: 'Blocklist changes after a feed position (poll with the last position seen)',
  })
  @ApiAnswers({
    description: 'The changes after `after`',
    schema: BlocklistChangesRef,
    problems: [400, ...GUARDED, 503],
  })
  @ApiQuery({ name: 'after', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async changes(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const { after, limit } = parseInput(ChangesQuery, query, 'query');
    const body = await this.changePages.page(after, limit);
    // The JSON text is kept with the page: a catch-up page of 1,000 changes is serialised once, not per poll.
    void reply.header('content-type', 'application/json; charset=utf-8');
    return body;
  }

  /** A page of the change feed as the API answers it (kept by `changePages` while it cannot change). */
  private changesAnswer(after: number, page: BlocklistFeedEntry[]): ChangesAnswer {
    // The page's position comes from every change read, published or not, so polling moves on past them.
    const position = page.length ? page[page.length - 1].position : after;
    // A domain line names `domain`, an IP line `ip` (docs/read-models.md), as the JSON list does.
    const changes = page.flatMap((c) => {
      const published = publishableChange(c);
      if ('refused' in published) {
        this.dropped(published.refused);
        return [];
      }
      return [{ ...published, at: wib(published.at) }];
    });
    return { after, position, changes };
  }
}
