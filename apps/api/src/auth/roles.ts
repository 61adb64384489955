import { SetMetadata } from '@nestjs/common';
import type { Role } from './api-keys';

export const ROLES_KEY = 'sanksi:roles';

/** Who may call a route: commands are for operators, queries for analysts, feeds for services. */
export const Allow = (...roles: Array<Role | 'public'>) => SetMetadata(ROLES_KEY, roles);

/** Operators issue commands (admins may too). */
export const COMMAND_ROLES: Role[] = ['operator', 'admin'];
/** Analysts (and operators, admins) query projections and histories. */
export const QUERY_ROLES: Role[] = ['analyst', 'operator', 'admin'];
/** Services read the feeds (blocklist, events); so may everyone who can query. */
export const FEED_ROLES: Role[] = ['service', 'analyst', 'operator', 'admin'];
