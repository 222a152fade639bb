/**
 * The vitest configuration Stryker runs (stryker.config.mjs): only the fast, in-process test files
 * of the mutated modules. The example, interop, browser, runtime and storage-engine suites start
 * processes and servers, and the fuzz suite runs hundreds of generated cases per property;
 * re-running them for every mutant would not fit in CI. A new test file for one of the mutated
 * modules belongs in this list.
 */
import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // Spread, not mergeConfig: that would append to the base include list instead of replacing it.
    include: [
      "test/pkce.test.ts",
      "test/rules/*.test.ts",
      "test/grants/*.test.ts",
      "test/clients/authenticate.test.ts",
      "test/authorize/request.test.ts",
      "test/token/*.test.ts",
      "test/resource/bearer.test.ts",
      "test/registration/register.test.ts",
      "test/registration/hygiene.test.ts",
      "test/management/grants.test.ts",
      "test/scope.test.ts",
      // The events of the code and refresh grants (src/grants/authorization-code.ts, refresh-token.ts).
      "test/events.test.ts",
      // Sealed props and the token hook run through the code exchange, refresh and bearer validation.
      "test/props.test.ts",
      "test/token-hook.test.ts",
    ],
    // No JSON report: CI's closing counts line reads the one from the real run.
    reporters: ["default"],
  },
});
