/**
 * Queries built once per database: drizzle assembles a query's SQL text on every call (a select
 * with two joins cost more than running it), while a prepared query with placeholders keeps its
 * text and statement. For the lookups run on most requests (a catalog or org by id).
 */
import type { Db } from './client.ts';

/** Memoizes `build` per database handle (tests open many). */
export function perDb<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const built = new WeakMap<Db, Q>();
  return (db) => {
    let q = built.get(db);
    if (q === undefined) built.set(db, (q = build(db)));
    return q;
  };
}
