import type { Db } from '../../db/client.js';

/**
 * A statement prepared once per database (pool or PGlite) and reused: `perDatabase(build)`
 * gives a function that builds the statement on its first call for a database.
 */
export function perDatabase<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let statement = built.get(db);
    if (statement === undefined) {
      statement = build(db);
      built.set(db, statement);
    }
    return statement;
  };
}
