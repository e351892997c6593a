/**
 * The OpenAPI document's authentication, read from the permission table: public routes need
 * nothing; session-only actions (SESSION_ONLY_ACTIONS) take the session cookie only; every other
 * route takes the session cookie or a personal API token as `Authorization: Bearer`.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { SESSION_ONLY_ACTIONS, isPublic, type Action } from '../features/access/permissions.js';

export const SECURITY_SCHEMES = {
  session: { type: 'apiKey', in: 'cookie', name: 'crm_session', description: 'The browser session (unsafe methods also need Origin and x-csrf-protection: 1).' },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'crm_pat_…',
    description: 'A personal API token (Account → API tokens), acting at its role for its creator; no CSRF headers. Rate limited per token.',
  },
} as const;

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;

/** jsonSchemaTransform plus the route's `security`. */
export const transformWithSecurity: Transform = (args) => {
  const out = jsonSchemaTransform(args as Parameters<typeof jsonSchemaTransform>[0]) as { schema: Record<string, unknown>; url: string };
  const action = (args.route as { config?: { action?: Action } }).config?.action;
  if (!action) return out;
  const security = isPublic(action) ? [] : SESSION_ONLY_ACTIONS.includes(action) ? [{ session: [] }] : [{ session: [] }, { bearer: [] }];
  return { ...out, schema: { ...out.schema, security } };
};
