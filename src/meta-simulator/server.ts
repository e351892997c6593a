/**
 * Mounting the simulator: `registerSimulatorRoutes` puts its Graph API under a prefix of any Fastify
 * instance (the app mounts it at /sandbox/meta/graph), `startMetaSimulator` runs it on its own
 * loopback listener (tests, benchmarks). Either way it is real HTTP, so the Graph client under test
 * is exactly the production code.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyContextConfig, type FastifyError, type FastifyInstance } from 'fastify';
import { graphErrors, SimGraphError } from './graph-errors.js';
import { registerAssetRoutes } from './assets.routes.js';
import { registerOauthRoutes } from './oauth.routes.js';
import { registerRegistrationRoutes } from './registration.routes.js';
import type { GraphParams } from './request.js';
import { MetaSimulator } from './simulator.js';
import type { SimulatorOptions } from './types.js';

/** Creates a simulator (state and rules, no HTTP yet). */
export function createMetaSimulator(opts: SimulatorOptions): MetaSimulator {
  return new MetaSimulator(opts);
}

/** Where and how to mount the routes. */
export interface MountOptions {
  /** e.g. '/sandbox/meta/graph'; '' for a dedicated listener */
  prefix: string;
  /** route config added to every route (the app's guard requires `{ action }`) */
  routeConfig?: FastifyContextConfig;
}

const VERSION = /^v\d+\.0$/;

/** Turns anything thrown inside the simulator into Meta's error envelope. */
function toSimError(err: FastifyError | Error): SimGraphError {
  if (err instanceof SimGraphError) return err;
  const status = (err as { statusCode?: unknown; status?: unknown }).statusCode ?? (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // A parent hook (e.g. the app's sandbox guard) or a malformed body: keep the status, speak Graph.
    return new SimGraphError({ code: status === 401 || status === 403 ? 10 : 100, message: err.message, httpStatus: status });
  }
  return graphErrors.unknownError();
}

/** Registers the simulator's Graph API (any `vNN.0` version) under `prefix` on `app`. */
export async function registerSimulatorRoutes(app: FastifyInstance, sim: MetaSimulator, mount: MountOptions): Promise<void> {
  const config = mount.routeConfig ?? {};
  await app.register(
    async (scope) => {
      // Graph takes form bodies as well as JSON; the app may already parse them (Meta's callbacks).
      if (!scope.hasContentTypeParser('application/x-www-form-urlencoded')) {
        scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(String(body))));
        });
      }
      scope.addHook('preHandler', async (req) => {
        const { version } = (req.params ?? {}) as Partial<GraphParams>;
        if (version !== undefined && !VERSION.test(version)) throw graphErrors.unknownVersion(version);
      });
      scope.setErrorHandler((err: FastifyError, req, reply) => {
        const e = toSimError(err);
        if (!(err instanceof SimGraphError) && e.httpStatus >= 500) req.log.error({ err }, 'meta simulator failed');
        if (e.spec.code === 190) reply.header('www-authenticate', `OAuth "Facebook Platform" "invalid_token" "${e.spec.message.replace(/"/g, "'")}"`);
        const body = e.toBody();
        return reply.status(e.httpStatus).headers(e.headers).header('x-fb-trace-id', body.error.fbtrace_id).send(body);
      });
      scope.setNotFoundHandler((req, reply) => {
        const e = graphErrors.unknownPath(req.method.toLowerCase());
        return reply.status(e.httpStatus).send(e.toBody());
      });
      registerOauthRoutes(scope, sim, config);
      registerAssetRoutes(scope, sim, config);
      registerRegistrationRoutes(scope, sim, config);
    },
    { prefix: mount.prefix },
  );
}

/** A simulator on its own listener. */
export interface RunningSimulator {
  /** base URL for the Graph client (`${url}/v25.0/...`) */
  url: string;
  simulator: MetaSimulator;
  close(): Promise<void>;
}

/** Starts a simulator on 127.0.0.1 (port 0 = any free port). */
export async function startMetaSimulator(opts: SimulatorOptions & { host?: string; port?: number; prefix?: string }): Promise<RunningSimulator> {
  const simulator = createMetaSimulator(opts);
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger as FastifyBaseLogger } : { logger: false }),
    // Request URLs carry client_secret, codes and tokens in their query strings: never log them.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });
  const prefix = opts.prefix ?? '';
  await registerSimulatorRoutes(app, simulator, { prefix });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${host}:${port}${prefix}`, simulator, close: () => app.close() };
}
