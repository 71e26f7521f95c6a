import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

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
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
