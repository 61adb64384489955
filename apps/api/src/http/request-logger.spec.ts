import { createSanksiLogger, REDACTED } from '@sanksi/application';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { RequestLogger, requestLogOptions, requestLoggerFactory } from './request-log';

type Line = Record<string, unknown>;

/** The HTTP logger as the API builds it (the root logger's redaction re-applied), writing into `lines`. */
function httpLogger(level: 'info' | 'warn') {
  const lines: string[] = [];
  const root = createSanksiLogger(level, { write: (line: string) => void lines.push(line) });
  const http = requestLogOptions(root).loggerInstance as unknown as Logger;
  return { http, lines: () => lines.map((l) => JSON.parse(l) as Line) };
}

describe('RequestLogger: a request id on every line without a pino child per request', () => {
  it('given an object, when logged, then the line has the request id, the fields and the message, with secrets redacted', () => {
    const { http, lines } = httpLogger('info');
    const log = new RequestLogger(http, { requestId: 'req-1' });

    log.info({ headers: { authorization: 'Bearer must-not-leak', accept: 'x' }, statusCode: 201 }, 'request');

    expect(lines()).toEqual([
      expect.objectContaining({
        component: 'http',
        requestId: 'req-1',
        statusCode: 201,
        headers: { authorization: REDACTED, accept: 'x' },
        msg: 'request',
      }),
    ]);
    expect(JSON.stringify(lines())).not.toContain('must-not-leak');
  });

  it('given an error, when logged, then it is under err with its message as the message, as pino writes it', () => {
    const { http, lines } = httpLogger('info');
    const log = new RequestLogger(http, { requestId: 'req-2' });

    log.error(new Error('socket hang up'));
    log.warn(new Error('late'), 'reply already sent');

    const [first, second] = lines();
    expect(first).toMatchObject({
      requestId: 'req-2',
      msg: 'socket hang up',
      err: { message: 'socket hang up' },
    });
    expect(second).toMatchObject({ requestId: 'req-2', msg: 'reply already sent', err: { message: 'late' } });
  });

  it('given a message with format arguments, when logged, then it is formatted and bound to the request', () => {
    const { http, lines } = httpLogger('info');
    new RequestLogger(http, { requestId: 'req-3' }).info('%s took %d ms', 'route', 12);

    expect(lines()).toEqual([expect.objectContaining({ requestId: 'req-3', msg: 'route took 12 ms' })]);
  });

  it('given a level that is off, when logged, then nothing is written', () => {
    const { http, lines } = httpLogger('warn');
    const log = new RequestLogger(http, { requestId: 'req-4' });

    log.info({ a: 1 }, 'quiet');
    log.debug('quieter');
    log.warn('loud');

    expect(lines()).toEqual([expect.objectContaining({ requestId: 'req-4', msg: 'loud' })]);
    expect(log.level).toBe('warn');
    expect(log.isLevelEnabled('info')).toBe(false);
  });

  it('given a child, when it logs, then it is a pino child with the request id and the redaction', () => {
    const { http, lines } = httpLogger('info');
    const child = new RequestLogger(http, { requestId: 'req-5' }).child({ part: 'x' });

    child.info({ DATABASE_URL: 'postgres://u:must-not-leak@h/db' }, 'child');

    expect(lines()).toEqual([
      expect.objectContaining({ requestId: 'req-5', part: 'x', DATABASE_URL: REDACTED, msg: 'child' }),
    ]);
  });

  it('given route options (a log level of its own), when Fastify asks for a request logger, then it gets a pino child', () => {
    const { http } = httpLogger('info');
    const factory = requestLoggerFactory as unknown as (
      logger: typeof http,
      bindings: object,
      options: object,
    ) => unknown;

    expect(factory(http, { requestId: 'a' }, {})).toBeInstanceOf(RequestLogger);
    expect(factory(http, { requestId: 'a' }, { level: 'info' })).toBeInstanceOf(RequestLogger);
    expect(factory(http, { requestId: 'b' }, { level: 'warn' })).not.toBeInstanceOf(RequestLogger);
    expect(factory(http, { requestId: 'c' }, { serializers: {} })).not.toBeInstanceOf(RequestLogger);
  });

  it('given a Fastify server with the request log options, when a route runs, then its request logger is a RequestLogger', async () => {
    const { http } = httpLogger('warn');
    const server = Fastify({ ...requestLogOptions(http) });
    server.get('/which', async (request) => ({ requestLogger: request.log instanceof RequestLogger }));
    try {
      const answer = await server.inject({ method: 'GET', url: '/which' });
      expect(answer.json()).toEqual({ requestLogger: true });
    } finally {
      await server.close();
    }
  });
});
