import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { componentSchemas } from './openapi-components';

/** Where the API serves its OpenAPI document; `docs/openapi.json` in the repository is a copy of it. */
export const OPENAPI_JSON_PATH = 'docs/openapi.json';

/**
 * The OpenAPI 3.0 document of the API, from the controllers' decorators and the zod schemas they
 * register (bodies, answers, problems as components): what `GET /docs/openapi.json` serves.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Sanksi')
      .setDescription(
        'Event-sourced sanction workflow for Indonesia’s PSE registration regime (MR5/2020). ' +
          'Commands need an operator key, queries an analyst key, feeds a service key: `Authorization: Bearer <key>`. ' +
          'Errors are application/problem+json (RFC 9457).',
      )
      .setVersion('1')
      .addTag('commands', 'Commands on cases: each appends events to the case’s stream (operators)')
      .addTag('cases', 'Cases as the read models and the event log show them (analysts)')
      .addTag('feeds', 'The blocklist, the event feed and the event schemas (services)')
      .addTag('stats', 'Statistics over the read models and what-if simulation (analysts)')
      .addTag('operations', 'Health, metrics and the evidence signing key')
      // An opaque key the server looks up (SANKSI_API_KEYS), not a token a client could decode.
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: undefined,
        description:
          'An API key issued by the operators of this server (opaque; its role decides the routes)',
      })
      .build(),
    // Every operation names its operationId; the handler's name is the fallback, never Controller_method.
    { operationIdFactory: (_controller: string, method: string) => method },
  );
  document.components = {
    ...document.components,
    schemas: componentSchemas() as Record<string, SchemaObject>,
  };
  return document;
}
