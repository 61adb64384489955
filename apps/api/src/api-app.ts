import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { PSE_ID_MAX_LENGTH } from '@sanksi/domain';
import { warnOfCalendarHorizon } from '@sanksi/application';
import { ApiModule, type ApiModuleOptions } from './api.module';
import { clientErrorHandler, frameworkErrors } from './http/framework-errors';
import { ProblemFilter } from './http/problem.filter';
import { apiBodyLimits, applyRouteBodyLimits } from './http/route-body-limits';
import { echoRequestId, requestLogOptions } from './http/request-log';
import { serveConsole } from './console/console-static';
import { buildOpenApiDocument, OPENAPI_JSON_PATH } from './openapi/openapi-document';

/** The router's limit on one path parameter: twice the longest case id, so over-long ids get a 400. */
export const MAX_PATH_PARAMETER_LENGTH = 2 * PSE_ID_MAX_LENGTH;

/**
 * Builds the HTTP API on Fastify (not yet listening): problem+json errors, bearer API keys,
 * the body limit from configuration, OpenAPI at /docs, the web console at /console.
 */
export async function createApiApp(options: ApiModuleOptions): Promise<NestFastifyApplication> {
  const { runtime } = options;
  // The worker loops of this process (if any) appear in the one registry `/metrics` serves.
  if (options.workers) runtime.metrics.observeLoops(options.workers);
  // Fastify answers 414 to a path parameter longer than `maxParamLength` (100 by default) before any route
  // runs: a case id may have PSE_ID_MAX_LENGTH characters, and a longer one should hear the 400 naming the
  // rule from the route's own validation, so the router's own limit sits above both.
  const adapter = new FastifyAdapter({
    bodyLimit: runtime.config.maxBodyBytes,
    // One line per request with its request id, secrets redacted (http/request-log.ts, docs/operations.md).
    ...requestLogOptions(runtime.logger),
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    // Errors raised before a route is found answer problem+json too (docs/security.md).
    frameworkErrors,
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRuntime(options), adapter, {
    logger: false,
    abortOnError: false,
  });
  // POST /v1/traffic/observations takes bulk loads: a larger limit of its own, named in its 413.
  const bodyLimits = apiBodyLimits(runtime.config);
  applyRouteBodyLimits(app.getHttpAdapter().getInstance(), bodyLimits);
  app.useGlobalFilters(new ProblemFilter(runtime.logger, bodyLimits));
  // Traffic observations may come as CSV (POST /v1/traffic/observations): the route reads the body as text.
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // A year before working-day deadlines start to be refused, say so where operators look (docs/calendar.md).
  warnOfCalendarHorizon(runtime.logger, runtime.clock.now());
  app.getHttpAdapter().getInstance().addHook('onRequest', echoRequestId);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', async (request, reply) => {
      // The route template (`/v1/cases/:pseId`), never the raw URL: the label's values stay bounded.
      runtime.metrics.httpAnswered(
        request.method,
        request.routeOptions.url,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });
  // The web console: static files on the same origin, outside the OpenAPI document (docs/console.md).
  serveConsole(app.getHttpAdapter().getInstance(), options.consoleDir);
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
