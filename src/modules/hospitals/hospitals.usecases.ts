import type { UseCaseDeps } from '../../shared/context.js';
import { notFound } from '../../shared/errors.js';
import type { Caller } from '../../shared/principal.js';
import { appendAudit } from '../audit/audit.repository.js';
import { createHospitalLocked, findHospital, listHospitals, renameHospital } from './hospitals.repository.js';

type Deps = Pick<UseCaseDeps, 'db' | 'clock'>;

/** The hospitals a caller may see: all for the bootstrap admin, a key its own. */
export async function visibleHospitals(deps: Deps, caller: Caller): Promise<{ code: string; name: string }[]> {
  const all = await listHospitals(deps.db);
  const own = caller.principal.hospital;
  return own === null ? all : all.filter((h) => h.code === own);
}

export async function getHospital(deps: Deps, code: string): Promise<{ code: string; name: string }> {
  const h = await findHospital(deps.db, code);
  if (!h) throw notFound(`hospital ${code}`);
  return { code: h.code, name: h.name };
}

/** Creates a hospital, or renames it; audited when anything changes. */
export async function putHospital(deps: Deps & { caller: Caller }, code: string, name: string): Promise<{ code: string; name: string }> {
  return deps.db.transaction(async (tx) => {
    const { hospital, created } = await createHospitalLocked(tx, code, name);
    if (created || hospital.name !== name) {
      const at = deps.clock.now();
      if (!created) await renameHospital(tx, hospital.id, name, at);
      await appendAudit(
        tx,
        hospital.id,
        deps.caller,
        [{ action: created ? 'hospital.create' : 'hospital.update', entityType: 'hospital', entityKey: code, before: created ? null : { name: hospital.name }, after: { code, name } }],
        at,
      );
    }
    return { code, name };
  });
}
