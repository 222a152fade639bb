/**
 * The part of `pg` this store uses, as structural types: a `pg` `Pool` (or `Client`) satisfies
 * them, so the package has no runtime dependency on `pg`.
 *
 * @module
 */

/** The result of a query: the rows, and how many rows a write touched. */
export interface PostgresQueryResult {
  /** The rows returned. */
  rows: unknown[];
  /** Rows a write touched (`null` when the driver does not say). */
  rowCount: number | null;
}

/** Something that runs a parameterised query: a `pg` `Pool`, `Client` or `PoolClient`. */
export interface PostgresQueryable {
  /** Runs `text` with `$1…$n` bound to `values` (never interpolated). */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
}

/** A connection checked out of a pool. */
export interface PostgresPoolClient extends PostgresQueryable {
  /** Returns the connection to its pool. */
  release(): void;
}

/** A pool: queries, plus a dedicated connection for a transaction (migrations). */
export interface PostgresPool extends PostgresQueryable {
  /** Checks out a dedicated connection, for statements that must share one (a transaction). */
  connect(): Promise<PostgresPoolClient>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Quotes a schema name after checking it is a plain identifier (it is spliced into SQL). */
export function quoteSchema(schema: string): string {
  if (!IDENTIFIER.test(schema)) throw new TypeError(`Invalid PostgreSQL schema name: ${JSON.stringify(schema)} (letters, digits, _)`);
  return `"${schema}"`;
}

export const DEFAULT_SCHEMA = "oauthkit";

