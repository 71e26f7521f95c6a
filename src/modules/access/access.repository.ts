import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apiKeys, hospitals, settlementRuns } from '../../db/schema.js';

/**
 * The hospital of a run or of an API key, for the access check. A run's hospital never changes
 * (nor does a hospital's code), so the answer is kept for the run's later calls: a person's line
 * is then one query after the key's. Bounded: the least recently used go first.
 */
export function createHospitalLookups(db: Db, cache: { get(k: string): string | undefined; set(k: string, v: string): unknown }) {
  return {
    async hospitalOfRun(runId: string): Promise<string | null> {
      const known = cache.get(runId);
      if (known) return known;
      const [row] = await db.select({ code: hospitals.code }).from(settlementRuns).innerJoin(hospitals, eq(hospitals.id, settlementRuns.hospitalId)).where(eq(settlementRuns.id, runId));
      if (row) cache.set(runId, row.code);
      return row?.code ?? null;
    },
    async hospitalOfKey(keyId: string): Promise<string | null> {
      const [row] = await db.select({ code: hospitals.code }).from(apiKeys).innerJoin(hospitals, eq(hospitals.id, apiKeys.hospitalId)).where(eq(apiKeys.id, keyId));
      return row?.code ?? null;
    },
  };
}
