/**
 * oauthkit on Bun: Bun.serve takes the shared demo app's fetch handler as is.
 * `PORT=3000 bun examples/bun/server.ts` (after `npm run build`: "oauthkit" resolves to dist/)
 */
import { createMemoryStorage } from "oauthkit";
import { createApp } from "../mcp-server/app.js";

// Minimal declaration of the one Bun API used here (examples/tsconfig.json type-checks for Node only).
declare const Bun: {
  serve(options: { port: number; hostname: string; fetch: (request: Request) => Promise<Response> }): { url: URL };
};

const port = Number(process.env.PORT ?? 3000);
const origin = `http://localhost:${port}`;
const { handle } = createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" } });

Bun.serve({ port, hostname: "localhost", fetch: handle });
console.log(`Bun example ready on ${origin}`);
