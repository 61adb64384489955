// The pinned HTTP stack with no work behind it: NestJS 11 on Fastify, the same body limit as `sanksi serve`,
// one POST route that answers a case opening's body with a small 201 and one GET no-op. `npm run bench -- http`
// runs it as the line "bare stack" (BENCH_HTTP_LINES=bare): what the framework alone costs a request on this
// machine, beside which the server's own lines show what Sanksi's edge and command path add.
// Usage: node apps/bench/dist/bare-stack.server.js <port>
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/** `sanksi serve`'s default body limit (SANKSI_MAX_BODY_BYTES). */
const BODY_LIMIT = 65_536;

@Controller()
class BareController {
  @Post('v1/cases')
  @HttpCode(201)
  open(@Body() body: { pseId?: unknown }): { pseId: unknown; version: number; state: string } {
    return { pseId: body.pseId, version: 1, state: 'unregistered' };
  }

  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const app = await NestFactory.create<NestFastifyApplication>(
    BareModule,
    new FastifyAdapter({ bodyLimit: BODY_LIMIT }),
    { logger: false },
  );
  await app.listen(port, '127.0.0.1');
  // The line the bench waits for, as it waits for `sanksi serve`'s.
  process.stdout.write(`Sanksi is serving on http://127.0.0.1:${port} (bare stack)\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
