import type { FastifyInstance, FastifyRequest } from 'fastify';

/** A route whose body limit is its own, with the setting that sets it and where larger loads go. */
export interface RouteBodyLimit {
  method: 'POST';
  /** The route template as Fastify registers it. */
  url: string;
  bytes: number;
  /** The environment variable that sets `bytes`. */
  setting: string;
  /** Where a load larger than `bytes` goes instead, for the 413's detail. */
  instead: string;
}

/** The body limits of the API: the default for every route, and the routes that take bulk loads. */
export interface BodyLimits {
  defaultBytes: number;
  routes: readonly RouteBodyLimit[];
}

/** The API's body limits from the configuration: `POST /v1/traffic/observations` takes bulk CSV and JSON. */
export function apiBodyLimits(config: { maxBodyBytes: number; trafficMaxBodyBytes: number }): BodyLimits {
  return {
    defaultBytes: config.maxBodyBytes,
    routes: [
      {
        method: 'POST',
        url: '/v1/traffic/observations',
        bytes: config.trafficMaxBodyBytes,
        setting: 'SANKSI_TRAFFIC_MAX_BODY_BYTES',
        instead:
          'load larger files with `sanksi traffic import FILE` (streamed, any size) or send the rows to the Kafka topic traffic.observations.v1, or split the body',
      },
    ],
  };
}

/** Gives each route of `limits.routes` its own body limit as Fastify registers it (before the routes are). */
export function applyRouteBodyLimits(fastify: FastifyInstance, limits: BodyLimits): void {
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const own = limits.routes.find((r) => r.url === route.url && methods.includes(r.method));
    if (own) route.bodyLimit = own.bytes;
  });
}

/** `64 KiB`, `16 MiB`: a byte count as people read it (bytes below 1 KiB). */
function readable(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The detail and fields of a 413 for this request: the limit that refused it, its setting, and what to do instead. */
export function bodyTooLarge(
  request: Pick<FastifyRequest, 'method'> & { routeOptions?: { url?: string } },
  limits: BodyLimits,
): { detail: string; maxBodyBytes: number; setting: string } {
  const url = request.routeOptions?.url;
  const own = limits.routes.find((r) => r.url === url && r.method === request.method);
  if (own) {
    return {
      detail: `the body is larger than the ${readable(own.bytes)} (${own.bytes} bytes) that ${own.method} ${own.url} accepts (${own.setting}); ${own.instead}`,
      maxBodyBytes: own.bytes,
      setting: own.setting,
    };
  }
  return {
    detail: `the request body is larger than the ${readable(limits.defaultBytes)} (${limits.defaultBytes} bytes) the server accepts (SANKSI_MAX_BODY_BYTES)`,
    maxBodyBytes: limits.defaultBytes,
    setting: 'SANKSI_MAX_BODY_BYTES',
  };
}
