import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { forbidden, notFound } from '../shared/errors.js';
import type { Access } from '../modules/access/access.js';
import { fieldOf, rawParam, textOf } from '../shared/http.js';
import type { Principal } from '../shared/principal.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** How the access check finds the hospital of a run or a key: given by the app (src/app.ts). */
    hospitalLookups: HospitalLookups;
  }
}

/** The reads the access check makes; each answers null for an unknown id. */
export interface HospitalLookups {
  hospitalOfRun(runId: string): Promise<string | null>;
  hospitalOfKey(keyId: string): Promise<string | null>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Each /v1 route declares who may call it and where its hospital comes from
 * (`config: access(roles, hospital)`, src/modules/access). A /v1 route without a declaration does
 * not start (fail closed). Before validation, a key of another hospital gets 404 (it learns
 * nothing, not even that the hospital or run exists), then a role that may not call gets 403.
 */
export function registerAccess(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/v1')) return;
    const declared = (route.config as { access?: Access } | undefined)?.access;
    if (!declared) throw new Error(`route ${route.method} ${route.url} declares no access (config.access)`);
    route.schema ??= {};
    const schema = route.schema as { description?: string; security?: unknown };
    const roles = `**Roles:** ${declared.roles.join(', ')}.`;
    schema.description = schema.description ? `${schema.description}\n\n${roles}` : roles;
    schema.security = [{ bearerAuth: [] }];
  });

  app.addHook('preValidation', async (request: FastifyRequest, _reply: FastifyReply) => {
    const declared = request.routeOptions.config?.access;
    if (!declared) return;
    const principal = request.principal!;
    if (principal.hospital !== null) {
      const hospital = await hospitalOfRequest(app.hospitalLookups, request, declared.hospital);
      if (hospital !== undefined && hospital !== principal.hospital) throw notFound(describeTarget(request, declared.hospital));
    }
    if (!declared.roles.includes(principal.role)) {
      throw forbidden(
        `${/^[aeiou]/.test(principal.role) ? 'an' : 'a'} ${principal.role} key may not call ${request.method} ${request.routeOptions.url}; it needs one of: ${declared.roles.join(', ')}`,
      );
    }
  });
}

async function hospitalOfRequest(lookups: HospitalLookups, request: FastifyRequest, from: Access['hospital']): Promise<string | undefined> {
  switch (from) {
    case 'params':
      return rawParam(request, 'code');
    case 'body': {
      // an API key names its hospital by code; an import by {code, name}
      const named = fieldOf(request.body, 'hospital');
      return (typeof named === 'string' ? named : textOf(named, 'code')) ?? '';
    }
    case 'query':
      return textOf(request.query, 'hospital') ?? '';
    case 'apiKey': {
      const id = rawParam(request, 'id') ?? '';
      const code = UUID.test(id) ? await lookups.hospitalOfKey(id) : null;
      if (code === null) throw notFound(`API key ${id}`);
      return code;
    }
    case 'run': {
      const id = rawParam(request, 'id') ?? '';
      const code = UUID.test(id) ? await lookups.hospitalOfRun(id) : null;
      if (code === null) throw notFound(`settlement ${id}`);
      return code;
    }
    case 'none':
      return undefined;
  }
}

function describeTarget(request: FastifyRequest, from: Access['hospital']): string {
  if (from === 'run') return `settlement ${rawParam(request, 'id')}`;
  if (from === 'apiKey') return `API key ${rawParam(request, 'id')}`;
  if (from === 'params') return `hospital ${rawParam(request, 'code')}`;
  return 'hospital';
}
