import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` puts the web console (apps/console/dist), from this file in src/ or dist/. */
export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, '../../../console/dist');

/** The path the console is served under; its client-side routes live below it. */
export const CONSOLE_PATH = '/console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// Same origin as the API, so the console needs nothing from elsewhere; inline styles are allowed
// because chart and layout libraries set element styles.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** The file under `root` a request path names, or null when it names none (or tries to leave `root`). */
export function consoleFile(root: string, requestPath: string): string | null {
  let relative: string;
  try {
    relative = decodeURIComponent(requestPath.replace(/^\/+/, ''));
  } catch {
    return null;
  }
  if (relative === '' || relative.includes('\0')) return null;
  const file = path.resolve(root, relative);
  if (!file.startsWith(`${root}${path.sep}`)) return null;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

function send(reply: FastifyReply, file: string, cache: string): FastifyReply {
  return reply
    .header('content-type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
    .header('cache-control', cache)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .send(createReadStream(file));
}

/**
 * Serves the built web console at /console: its files as they are, and index.html for every other
 * path below it, so a deep link (/console/cases/paypal) opens the page the console's router shows.
 * Without a build, /console answers 503 saying how to build it.
 */
export function serveConsole(fastify: FastifyInstance, consoleDir: string = DEFAULT_CONSOLE_DIR): void {
  const root = path.resolve(consoleDir);
  const index = path.join(root, 'index.html');
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!existsSync(index)) {
      return reply
        .code(503)
        .header('content-type', 'application/problem+json')
        .send({
          type: 'about:blank',
          title: 'Console not built',
          status: 503,
          detail: `the web console has not been built (no ${index}): run npm run build, then reload`,
        });
    }
    const below = request.url.split('?')[0].slice(CONSOLE_PATH.length);
    const file = consoleFile(root, below);
    // Hashed asset names change with their content: they may be kept; index.html must be asked for again.
    if (file && file !== index) return send(reply, file, 'public, max-age=31536000, immutable');
    if (/^\/assets\//.test(below)) {
      return reply
        .code(404)
        .header('content-type', 'application/problem+json')
        .send({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no console file ${below}` });
    }
    return send(reply, index, 'no-cache');
  };
  fastify.get(CONSOLE_PATH, (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 308));
  fastify.get(`${CONSOLE_PATH}/`, handler);
  fastify.get(`${CONSOLE_PATH}/*`, handler);
}
