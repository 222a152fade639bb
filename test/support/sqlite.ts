/**
 * The SQLite engines the tests can open under the running Node: better-sqlite3 (built for one
 * Node ABI: under another, loading it fails with ERR_DLOPEN_FAILED) and node:sqlite (Node ≥ 22.13).
 */
import { createRequire } from "node:module";
import type { BetterSqlite3Database, NodeSqliteDatabase, SqliteDriver } from "../../src/storage/sqlite/index.js";
import { betterSqlite3Driver, nodeSqliteDriver } from "../../src/storage/sqlite/index.js";

/** One open connection to a SQLite file. */
export interface SqliteConnection {
  driver: SqliteDriver;
  /** Runs SQL directly (for assertions on stored rows). */
  rows(sql: string): Record<string, unknown>[];
  close(): void;
}

/** An engine available in this process. */
export interface SqliteEngine {
  name: "better-sqlite3" | "node:sqlite";
  /** Opens `path` as a file database in WAL mode with a busy timeout, as the docs recommend. */
  open(path: string): SqliteConnection;
}

const PRAGMAS = ["journal_mode = WAL", "busy_timeout = 5000", "synchronous = NORMAL"];

type BetterSqlite3 = BetterSqlite3Database & { exec(sql: string): void; close(): void; prepare(sql: string): { all(...params: unknown[]): unknown[]; reader: boolean; run(...params: unknown[]): unknown } };
type NodeSqlite = NodeSqliteDatabase & { close(): void };

function betterSqlite3(): SqliteEngine | string {
  try {
    const Database = createRequire(import.meta.url)("better-sqlite3") as new (path: string) => BetterSqlite3;
    // The native addon is loaded by the first constructor call: a wrong ABI fails here.
    new Database(":memory:").close();
    return {
      name: "better-sqlite3",
      open(path) {
        const db = new Database(path);
        for (const pragma of PRAGMAS) db.exec(`PRAGMA ${pragma}`);
        return { driver: betterSqlite3Driver(db), rows: (sql) => db.prepare(sql).all() as Record<string, unknown>[], close: () => db.close() };
      },
    };
  } catch (error) {
    return `better-sqlite3 cannot be loaded under Node ${process.versions.node} (${(error as { code?: string }).code ?? (error as Error).message}); it is built for another Node ABI`;
  }
}

function nodeSqlite(): SqliteEngine | string {
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const module = getBuiltinModule?.("node:sqlite") as { DatabaseSync: new (path: string) => NodeSqlite } | undefined;
  if (module === undefined) return `node:sqlite is not available in Node ${process.versions.node} (needs ≥ 22.13)`;
  return {
    name: "node:sqlite",
    open(path) {
      const db = new module.DatabaseSync(path);
      for (const pragma of PRAGMAS) db.exec(`PRAGMA ${pragma}`);
      return { driver: nodeSqliteDriver(db), rows: (sql) => db.prepare(sql).all() as Record<string, unknown>[], close: () => db.close() };
    },
  };
}

/** The engines that load here, and why the others do not. */
export function sqliteEngines(): Array<{ name: string; engine: SqliteEngine | string }> {
  return [
    { name: "better-sqlite3", engine: betterSqlite3() },
    { name: "node:sqlite", engine: nodeSqlite() },
  ];
}
