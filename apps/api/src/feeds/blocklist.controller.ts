import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Allow, FEED_ROLES } from '../auth/roles';
import { parseInput } from '../http/parse-input';
import { wib } from '../cases/case-view';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { BLOCKLIST_FORMATS, blocklistContentType, renderBlocklist } from './blocklist-formats';

const BlocklistQuery = z.strictObject({ format: z.enum(BLOCKLIST_FORMATS).default('json') });
const ChangesQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** The blocklist internet providers apply (a projection), and its change feed by position. */
@ApiTags('feeds')
@ApiBearerAuth()
@Allow(...FEED_ROLES)
@Controller('v1/blocklist')
export class BlocklistController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get()
  @ApiOperation({ summary: 'Every domain currently blocked: json, txt, hosts, rpz or csv' })
  @ApiQuery({ name: 'format', required: false, enum: BLOCKLIST_FORMATS })
  async blocklist(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const { format } = parseInput(BlocklistQuery, query, 'query');
    const stored = await this.runtime.readModels.getBlocklist();
    const list = { ...stored, entries: stored.entries.map((e) => ({ ...e, since: wib(e.since) })) };
    void reply.header('x-blocklist-position', String(list.position));
    if (format === 'json') return list;
    void reply.header('content-type', blocklistContentType(format));
    return renderBlocklist(format, list.entries, list.position);
  }

  @Get('changes')
  @ApiOperation({ summary: 'Blocklist changes after a feed position (poll with the last position seen)' })
  @ApiQuery({ name: 'after', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async changes(@Query() query: unknown) {
    const { after, limit } = parseInput(ChangesQuery, query, 'query');
    const changes = (await this.runtime.readModels.getBlocklistChanges(after, limit)).map((c) => ({
      ...c,
      at: wib(c.at),
    }));
    return { after, position: changes.length ? changes[changes.length - 1].position : after, changes };
  }
}
