/**
 * Baseline of the webhook-ingest benchmark, run as its own process: a bare Fastify server that reads
 * POST /webhooks/whatsapp as raw bytes, checks X-Hub-Signature-256 with the same function as the app
 * (HMAC-SHA256 of the exact bytes) and answers 200 (401 on a bad signature). No parsing, no storage.
 * Env: PORT, META_APP_SECRET. Prints "up" when listening.
 */
import Fastify from 'fastify';
import { checkSignature } from '../../src/features/webhooks/webhook-signature.js';

const secret = process.env.META_APP_SECRET ?? '';
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 3 * 1024 * 1024 }, (_req, body, done) => done(null, body));
app.get('/readyz', async () => 'ok');
app.post('/webhooks/whatsapp', async (req, reply) => {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  return reply.status(checkSignature(body, req.headers['x-hub-signature-256'], secret) ? 401 : 200).send();
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('up\n');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
