/**
 * The sizing script (bench/src/sizing.ts) at 10,000 grants against throwaway servers, so that it
 * keeps working: it must complete and report sane figures (docs/storage.md#sizing holds the
 * measured ones, from a manual run at a larger size).
 */
import { describe, expect, it } from "vitest";
import { type SizingResult, type SizingStore, runSizing, sizingRow } from "../../bench/src/sizing.js";
import { postgresBinaries, redisBinary, redisCliBinary, serverMissing } from "../support/servers.js";

const GRANTS = 10_000;

function expectSane(result: SizingResult, store: SizingStore): void {
  expect(result.store).toBe(store);
  expect(result.grants).toBe(GRANTS);
  // A grant with 4 live access tokens is kilobytes, not bytes and not megabytes.
  expect(result.bytesPerGrant).toBeGreaterThan(500);
  expect(result.bytesPerGrant).toBeLessThan(20_000);
  for (const timing of [result.exchangeMs, result.refreshMs, result.bearerMs]) {
    expect(timing.p50).toBeGreaterThan(0);
    expect(timing.p50).toBeLessThanOrEqual(timing.p99);
    expect(timing.p99).toBeLessThan(5_000);
  }
  expect(sizingRow(result)).toMatch(new RegExp(`^\\| ${store} \\| 10,000 \\| \\d+ B \\|`));
}

function describeSizing(store: SizingStore, missing: string | null): void {
  if (missing !== null) return serverMissing(`sizing script on ${store}`, missing);
  describe(`sizing script on ${store}`, () => {
    it(`loads ${GRANTS.toLocaleString("en")} grants and reports bytes per grant, latencies and the sweep`, async () => {
      const result = await runSizing({ store, grants: GRANTS, samples: 50, expired: 1_000, concurrency: 128, env: {} });
      expectSane(result, store);
      if (store === "postgres") expect(result.sweepSeconds).toBeGreaterThanOrEqual(0);
      else expect(result.sweepSeconds).toBeNull();
    }, 180_000);
  });
}

const redis = redisBinary();
describeSizing("redis", redis === null ? "redis-server not found on PATH" : null);
describeSizing("redis-cluster", redis === null || redisCliBinary(redis) === null ? "redis-server or redis-cli not found on PATH" : null);
describeSizing("postgres", postgresBinaries() === null ? "initdb/postgres not found" : null);
