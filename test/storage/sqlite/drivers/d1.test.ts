/**
 * The D1 driver's mapping onto the D1 API, against a recording stand-in for `D1Database` (it runs
 * on every Node). The driver on real D1, under workerd, runs the whole storage conformance suite
 * in test/examples/workers.test.ts (Node ≥ 22).
 */
import { describe, expect, it } from "vitest";
import { type D1DatabaseLike, type D1PreparedStatementLike, d1Driver } from "../../../../src/storage/sqlite/drivers/d1.js";

/** A D1 stand-in that records what was prepared, bound and batched, and answers `rowsFor(sql)`. */
function recordingD1(rowsFor: (sql: string) => unknown[] | undefined = () => undefined) {
  const calls: string[] = [];
  const statement = (sql: string, bound?: unknown[]): D1PreparedStatementLike & { sql: string; bound?: unknown[] } => ({
    sql,
    ...(bound === undefined ? {} : { bound }),
    bind: (...values) => {
      calls.push(`bind ${sql} ${JSON.stringify(values)}`);
      return statement(sql, values);
    },
    all: async () => {
      calls.push(`all ${sql}`);
      const results = rowsFor(sql);
      return results === undefined ? {} : { results };
    },
  });
  const db: D1DatabaseLike = {
    prepare: (sql) => statement(sql),
    batch: async (statements) => {
      calls.push(`batch ${statements.map((s) => (s as ReturnType<typeof statement>).sql).join(" ; ")}`);
      return statements.map((s) => {
        const results = rowsFor((s as ReturnType<typeof statement>).sql);
        return results === undefined ? {} : { results };
      });
    },
  };
  return { db, calls };
}

describe("d1Driver", () => {
  it("all(): prepares, binds the positional parameters in order, and resolves to the rows", async () => {
    const { db, calls } = recordingD1((sql) => (sql.startsWith("SELECT") ? [{ id: "a", n: 1, v: null }] : undefined));
    const driver = d1Driver(db);
    expect(await driver.all({ sql: "SELECT id, n, v FROM t WHERE id = ? AND n > ?", params: ["a", 0] })).toEqual([{ id: "a", n: 1, v: null }]);
    expect(calls).toEqual(['bind SELECT id, n, v FROM t WHERE id = ? AND n > ? ["a",0]', "all SELECT id, n, v FROM t WHERE id = ? AND n > ?"]);
  });

  it("all(): a statement without rows resolves to []", async () => {
    const { db, calls } = recordingD1();
    expect(await d1Driver(db).all({ sql: "DELETE FROM t", params: [] })).toEqual([]);
    expect(calls).toEqual(["bind DELETE FROM t []", "all DELETE FROM t"]);
  });

  it("batch(): one D1 batch (one transaction) of the bound statements, rows per statement in order", async () => {
    const { db, calls } = recordingD1((sql) => (sql.includes("RETURNING") ? [{ id: sql.at(-1) }] : undefined));
    const result = await d1Driver(db).batch([
      { sql: "UPDATE t SET n = ? RETURNING 1", params: [2] },
      { sql: "INSERT INTO u VALUES (?)", params: ["x"] },
      { sql: "DELETE FROM t RETURNING 3", params: [] },
    ]);
    expect(result).toEqual([[{ id: "1" }], [], [{ id: "3" }]]);
    expect(calls).toEqual([
      "bind UPDATE t SET n = ? RETURNING 1 [2]",
      'bind INSERT INTO u VALUES (?) ["x"]',
      "bind DELETE FROM t RETURNING 3 []",
      "batch UPDATE t SET n = ? RETURNING 1 ; INSERT INTO u VALUES (?) ; DELETE FROM t RETURNING 3",
    ]);
  });

  it("batch(): an empty batch does not reach D1 (which refuses one)", async () => {
    const { db, calls } = recordingD1();
    expect(await d1Driver(db).batch([])).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("a failing D1 call rejects: the driver never swallows or retries", async () => {
    const failure = new Error("D1_ERROR: database is locked");
    const db: D1DatabaseLike = {
      prepare: () => ({ bind() { return this; }, all: () => Promise.reject(failure) }),
      batch: () => Promise.reject(failure),
    };
    await expect(d1Driver(db).all({ sql: "SELECT 1", params: [] })).rejects.toBe(failure);
    await expect(d1Driver(db).batch([{ sql: "SELECT 1", params: [] }])).rejects.toBe(failure);
  });

  it("throws a TypeError naming the option for something that is not a D1 binding", () => {
    expect(() => d1Driver(undefined as unknown as D1DatabaseLike)).toThrow(new TypeError("d1Driver: db must be a D1 database binding (with prepare() and batch())"));
    expect(() => d1Driver({ prepare: () => undefined } as unknown as D1DatabaseLike)).toThrow(TypeError);
  });
});
