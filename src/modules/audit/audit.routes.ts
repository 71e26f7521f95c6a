import { access } from '../access/access.js';
import type { App, RouteDeps } from '../../shared/http.js';
import { errors, HospitalParams } from '../../shared/schemas.js';
import { AuditPage, AuditQuery, AuditVerification } from './audit.schemas.js';
import { auditPage, verifyHospitalAudit } from './audit.usecases.js';

/** The hash-chained audit trail: its events, and the check of the whole chain. */
export function registerAuditRoutes(app: App, deps: RouteDeps): void {
  setupAuditPageRoute(app, deps);
  setupVerifyAuditRoute(app, deps);
}

function setupAuditPageRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/audit',
    {
      config: access(['admin', 'auditor'], 'params'),
      schema: {
        operationId: 'listAuditEvents',
        tags: ['audit'],
        summary: 'Audit events of a hospital, oldest first, with filters and paging',
        description: 'Page with `afterSeq`: pass the `nextAfterSeq` of the previous page.',
        params: HospitalParams,
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errors(400, 401, 404) },
      },
    },
    async (request) => auditPage({ db }, request.params.code, request.query),
  );
}

function setupVerifyAuditRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code/audit/verify',
    {
      config: access(['admin', 'auditor'], 'params'),
      schema: {
        operationId: 'verifyAuditChain',
        tags: ['audit'],
        summary: "Re-check the hospital's whole audit chain",
        description:
          "Each event's hash, its link to the one before, no gaps, and the chain's anchor: the last event ever appended is kept apart from the chain (audit_heads), so events removed from the end, or a whole chain removed, are reported as invalid too.",
        params: HospitalParams,
        response: { 200: AuditVerification, ...errors(401, 404) },
      },
    },
    async (request) => verifyHospitalAudit({ db }, request.params.code),
  );
}
