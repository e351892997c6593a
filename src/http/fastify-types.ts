/** Fastify type augmentation: every route declares its permission action; requests carry the caller. */
import type { Action } from '../features/access/permissions.js';
import type { Caller } from '../features/access/account.service.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission-table action this route needs (required: registration fails without it). */
    action?: Action;
  }
  interface FastifyInstance {
    /** Every registered route with its declared action. */
    routeActions: import('./guard.js').RouteAction[];
  }
  interface FastifyRequest {
    /** The signed-in caller, set by the guard for non-public routes (null on public ones). */
    caller: Caller | null;
  }
}

export {};
