import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_CONTRACT_VERSION, eventJsonSchemas } from '@sanksi/contracts';
import type { SanksiRuntime } from '@sanksi/application';
import { Allow, FEED_ROLES } from '../auth/roles';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { ApiAnswers, GUARDED } from '../openapi/api-answers.decorator';
import { EventSchemasRef, PublicKeyRef } from '../openapi/read-schemas';

/** The published JSON Schemas of every event type (the Kafka and /v1/events bodies). */
@ApiTags('feeds')
@ApiBearerAuth()
@Allow(...FEED_ROLES)
@Controller('v1/schemas')
export class SchemasController {
  private readonly schemas = eventJsonSchemas();

  @Get('events')
  @ApiOperation({ operationId: 'getEventSchemas', summary: 'JSON Schema of every event type, keyed by type' })
  @ApiAnswers({ description: 'The event schemas', schema: EventSchemasRef, problems: GUARDED })
  events() {
    return { version: EVENT_CONTRACT_VERSION, schemas: this.schemas };
  }
}

/** The key that signs evidence packs: public, so anyone can pin it (`sanksi evidence verify --public-key`). */
@ApiTags('operations')
@Allow('public')
@Controller('v1/evidence')
export class EvidenceKeyController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get('public-key')
  @ApiOperation({
    operationId: 'getEvidencePublicKey',
    summary: 'The Ed25519 public key evidence packs are signed with (base64 DER SPKI)',
  })
  @ApiAnswers({
    description: 'The public key',
    schema: PublicKeyRef,
    example: {
      algorithm: 'Ed25519',
      publicKey: 'MCowBQYDK2VwAyEA64+3ICrWfS9CrXXxuexw2TcCuNZyxZ+1DUw+G6XY+/s=',
    },
    problems: [],
  })
  publicKey() {
    return { algorithm: 'Ed25519', publicKey: this.runtime.history.evidencePublicKey() };
  }
}
