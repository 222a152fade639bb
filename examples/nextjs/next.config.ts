import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// The repository root: the shared app (../mcp-server) and the self-referenced "oauthkit" (dist/) live there.
const root = fileURLToPath(new URL("../..", import.meta.url));

export default {
  turbopack: { root },
  outputFileTracingRoot: root,
  skipTrailingSlashRedirect: true, // paths reach oauthkit as sent
  typescript: { ignoreBuildErrors: true }, // `npm run typecheck` checks this example
} satisfies NextConfig;
