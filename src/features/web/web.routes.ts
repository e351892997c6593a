/**
 * Serves the built single-page app from dist/web: hashed assets with long caching, and index.html
 * for every other GET outside /api so client-side routes work on reload.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendNotFound } from '../../http/error-handler.js';

/** Registers the SPA routes when `webDir` holds a build; otherwise a plain page saying how to build it. */
export async function webRoutes(app: FastifyInstance, deps: { webDir: string }): Promise<void> {
  const built = existsSync(path.join(deps.webDir, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: deps.webDir, serve: false });
  app.get('/*', { config: { action: 'public.web' }, schema: { hide: true } }, async (req, reply) => {
    // Malformed percent-encoding never gets here: Fastify refuses it first (frameworkErrors in app.ts).
    const pathname = decodeURIComponent(req.url.split('?')[0] ?? '/');
    // API paths, and sandbox paths when no simulator is mounted (a real Meta app is configured), are never the SPA
    if (/^\/(api|sandbox)(\/|$)/.test(pathname)) return sendNotFound(req, reply);
    if (!built) return reply.type('text/plain').send('The web UI is not built. Run `npm run build`.');
    const rel = pathname.slice(1);
    if (rel && !rel.split('/').includes('..') && isFile(path.join(deps.webDir, rel))) {
      // Vite puts content-hashed files under assets/: they never change, so browsers may keep them.
      const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      return reply.header('cache-control', cache).sendFile(rel);
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
