import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/roles';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';

/** Liveness and readiness for orchestrators: public, cheap, no secrets. */
@ApiTags('operations')
@Allow('public')
@Controller('health')
export class HealthController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'The event store and the read-model database answer (503 otherwise)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const check = async (name: string, probe: () => Promise<unknown>) => {
      try {
        await probe();
        return { name, status: 'ok' as const };
      } catch (e) {
        return { name, status: 'failing' as const, detail: (e as Error).message };
      }
    };
    const checks = await Promise.all([
      check('event-store', () => this.runtime.eventStore.headPosition()),
      check('read-models', () => this.runtime.readModels.getCheckpoint()),
    ]);
    const ok = checks.every((c) => c.status === 'ok');
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'not-ready', checks };
  }
}
