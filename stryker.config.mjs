// Mutation testing of the security-critical modules (docs/testing.md): `npm run test:mutation`.
// When one of these modules moves, is renamed or split, `mutate` must follow it.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  // Only the fast in-process unit tests (vitest.mutation.config.ts), all of them: perTest coverage
  // then picks, for each mutant, the tests that reach it.
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  coverageAnalysis: "perTest",
  mutate: [
    "src/rules/pkce.ts",
    "src/clients/authenticate.ts",
    "src/clients/redirect-uri.ts",
    "src/grants/authorization-code.ts",
    "src/grants/refresh-token.ts",
    "src/resource/bearer.ts",
    "src/rules/scope.ts",
  ],
  ignorePatterns: ["bench", "examples/nextjs/.next", "reports", ".tmp", "dist", "coverage"],
  // break: the run fails (exit code 1) below 90 %.
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  // CI and the development machine have 2 cores.
  concurrency: 2,
  timeoutMS: 10_000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
