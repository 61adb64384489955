import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_CONTRACT_VERSION, eventJsonSchemas } from '@sanksi/contracts';
import { Allow, FEED_ROLES } from '../auth/roles';

/** The published JSON Schemas of every event type (the Kafka and /v1/events bodies). */
@ApiTags('feeds')
@Allow(...FEED_ROLES)
@Controller('v1/schemas')
export class SchemasController {
  private readonly schemas = eventJsonSchemas();

  @Get('events')
  @ApiOperation({ summary: 'JSON Schema of every event type, keyed by type' })
  events() {
    return { version: EVENT_CONTRACT_VERSION, schemas: this.schemas };
  }
}
