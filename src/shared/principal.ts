/** The roles of API keys (README: who may do what). */
import { KEY_ROLES } from '../db/schema.js';

export const ROLES = KEY_ROLES;
export type Role = (typeof ROLES)[number];

/** Who is calling: the bootstrap admin (every hospital) or an API key of one hospital. */
export interface Principal {
  keyId: string | null;
  name: string;
  role: Role;
  /** null: every hospital (the bootstrap token). */
  hospital: string | null;
  /** A department head's departments, or the functional offices an assessor speaks for; empty for the other roles. */
  departments: string[];
}

/** The caller of a use case: who (for access), under what name the audit log records them, and the request. */
export interface Caller {
  principal: Principal;
  actor: string;
  requestId: string | null;
}

/** The caller of work the service does by itself (a settlement job, the requeue sweeper). */
export const SYSTEM_CALLER: Caller = {
  principal: { keyId: null, name: 'system', role: 'admin', hospital: null, departments: [] },
  actor: 'system:settlement-worker',
  requestId: null,
};
