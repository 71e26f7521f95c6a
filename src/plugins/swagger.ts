import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

export const OPENAPI_INFO = {
  title: 'perfpay — hospital performance-pay settlement API (医院绩效工资核算)',
  description:
    "Ingest a hospital's departments, staff and quarterly inputs, run quarterly and year-end settlements, approve them, and read every amount with its reasons. " +
    'Money is always a decimal string with two decimals. Every /v1 call needs `Authorization: Bearer <token>`. Errors are `{"error": {"code", "message", "path"?, "details"?}}`.',
  version: '0.2.0',
};

/** The OpenAPI 3.1 document, generated from every route's schema; served at /openapi.json, its UI at /docs. */
export async function registerSwagger(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { ...OPENAPI_INFO, license: { name: 'Proprietary', identifier: 'LicenseRef-perfpay' } },
      // relative: the document describes the server that serves it (/openapi.json), wherever it runs
      servers: [{ url: '/', description: 'this perfpay service' }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API token' } } },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'imports', description: 'whole scenario documents' },
        { name: 'hospitals', description: 'hospitals, schemes, departments and staff' },
        { name: 'inputs', description: 'quarterly and year-end inputs, record by record' },
        { name: 'settlements', description: 'settlement runs, approval and results' },
        { name: 'audit', description: 'the hash-chained audit trail' },
        { name: 'keys', description: 'API keys and their roles' },
        { name: 'service', description: 'health and documents' },
      ],
    },
  });
  registerDocsUi(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/**
 * /docs, swagger-ui on this service's document. swagger-ui (with @fastify/static and glob under
 * it, ~100 ms) is loaded on the first /docs request, not at start: it runs in a small Fastify
 * instance of its own, made then, and /docs and /docs/* here pass each request to it.
 */
function registerDocsUi(app: FastifyInstance): void {
  let docs: Promise<FastifyInstance> | undefined;
  const docsApp = () => {
    docs ??= (async () => {
      const { default: swaggerUi } = await import('@fastify/swagger-ui');
      const ui = Fastify();
      // swagger-ui depends on @fastify/swagger by name and reads the document through fastify.swagger()
      const document = Object.assign(
        async (instance: FastifyInstance) => void instance.decorate('swagger', ((options?: { yaml?: boolean }) => app.swagger(options as { yaml: true })) as FastifyInstance['swagger']),
        {
          [Symbol.for('skip-override')]: true,
          [Symbol.for('plugin-meta')]: { name: '@fastify/swagger' },
        },
      );
      await ui.register(document);
      await ui.register(swaggerUi, { routePrefix: '/docs' });
      await ui.ready();
      return ui;
    })();
    return docs;
  };
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await (await docsApp()).inject({
      method: request.method as 'GET' | 'HEAD',
      url: request.url,
      headers: { 'accept-encoding': 'identity', ...pick(request.headers, ['accept', 'if-none-match', 'if-modified-since']) },
    });
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !['content-length', 'connection', 'date', 'transfer-encoding', 'keep-alive'].includes(name)) void reply.header(name, value);
    }
    return reply.status(answer.statusCode).send(answer.rawPayload);
  };
  app.get('/docs', { schema: { hide: true } }, forward);
  app.get('/docs/*', { schema: { hide: true } }, forward);
}

function pick(headers: Record<string, string | string[] | undefined>, names: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
