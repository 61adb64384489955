import { type INestApplicationContext, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { ROLES, type Role } from './api-keys';
import { ROLES_KEY } from './roles';

/** Who may call one route, as its `@Allow` declares (on the handler, else on the controller). */
export interface RouteRoles {
  method: string;
  /** The path in OpenAPI form: `/v1/cases/{pseId}/fines`. */
  path: string;
  controller: string;
  handler: string;
  /** undefined: no `@Allow` anywhere — the guard then refuses every key (403) and no key (401). */
  allowed: Array<Role | 'public'> | undefined;
  declaredOn: 'handler' | 'controller' | null;
}

const joinPath = (...parts: string[]): string =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p.length > 0)
    .map((p) => (p.startsWith(':') ? `{${p.slice(1)}}` : p))
    .join('/')}`;

const paths = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : [typeof value === 'string' ? value : '/'];

/**
 * Every route the application's controllers serve, read from Nest's own registry (the metadata
 * its router maps from), each with its role declaration; sorted by path, then method.
 */
export function discoverRoutes(app: INestApplicationContext): RouteRoles[] {
  const scanner = new MetadataScanner();
  const routes: RouteRoles[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown> | null;
      if (!controller) continue;
      const onController = Reflect.getMetadata(ROLES_KEY, controller) as RouteRoles['allowed'];
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const handlerPath = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
        if (handlerPath === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const onHandler = Reflect.getMetadata(ROLES_KEY, handler) as RouteRoles['allowed'];
        for (const base of paths(Reflect.getMetadata(PATH_METADATA, controller))) {
          for (const sub of paths(handlerPath)) {
            routes.push({
              method,
              path: joinPath(base, sub),
              controller: controller.name,
              handler: name,
              allowed: onHandler ?? onController,
              declaredOn: onHandler ? 'handler' : onController ? 'controller' : null,
            });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** Whether a caller of `role` gets past the guard on a route (public routes let everyone in). */
export function mayCall(route: RouteRoles, role: Role): boolean {
  return route.allowed !== undefined && (route.allowed.includes('public') || route.allowed.includes(role));
}

/**
 * The role matrix as a Markdown table: one row per route, one column per role and one for a
 * request without a (known) key; ✓ lets the caller in, 403 and 401 are the guard's refusals.
 */
export function roleMatrixTable(routes: RouteRoles[]): string {
  const header = ['route', ...ROLES, 'no key / unknown key'];
  const rows = routes.map((r) => {
    const open = r.allowed?.includes('public') ?? false;
    return [
      `\`${r.method} ${r.path}\``,
      ...ROLES.map((role) => (mayCall(r, role) ? '✓' : '403')),
      open ? '✓ (public)' : '401',
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
