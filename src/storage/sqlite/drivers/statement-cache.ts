/**
 * Prepared statements per database, shared by the synchronous drivers: the store issues a fixed
 * set of SQL texts, so each is compiled once per connection.
 *
 * @module
 */
const caches = new WeakMap<object, Map<string, unknown>>();

/** Returns `db`'s prepared statement for `sql`, preparing it on first use. */
export function cachedStatement<S>(db: { prepare(sql: string): S }, sql: string): S {
  let statements = caches.get(db);
  if (statements === undefined) caches.set(db, (statements = new Map()));
  let statement = statements.get(sql) as S | undefined;
  if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)));
  return statement;
}
