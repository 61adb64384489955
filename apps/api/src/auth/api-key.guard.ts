import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../http/problem';
import { ApiKeyRegistry, type Role } from './api-keys';
import { ROLES_KEY } from './roles';

const REALM = 'sanksi';

/** The caller, attached to the request once the guard has let it through. */
export interface Caller {
  role: Role;
  id: string;
}

/** Bearer API keys: 401 without or with an unknown key, 403 when the role may not call the route. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const allowed = this.reflector.getAllAndOverride<Array<Role | 'public'> | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (allowed?.includes('public')) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { caller?: Caller }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new HttpProblem(
        401,
        'Unauthorized',
        'send an API key as "Authorization: Bearer <key>"',
        { allowedRoles: allowed ?? [] },
        { 'www-authenticate': `Bearer realm="${REALM}"` },
      );
    }
    const identified = this.keys.identify(match[1]);
    if (!identified) {
      throw new HttpProblem(
        401,
        'Unauthorized',
        'the API key is not known to this server',
        {},
        // RFC 6750 §3.1: a key that was sent but is not accepted is an invalid_token.
        { 'www-authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
      );
    }
    const { role, keyId } = identified;
    if (!allowed || !allowed.includes(role)) {
      throw new HttpProblem(403, 'Forbidden', `the ${role} role may not call this route`, {
        role,
        allowedRoles: allowed ?? [],
      });
    }
    request.caller = { role, id: `${role}:${keyId}` };
    return true;
  }
}
