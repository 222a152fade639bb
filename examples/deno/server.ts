/**
 * oauthkit on Deno: Deno.serve takes the shared demo app's fetch handler as is.
 * `PORT=3000 deno run --sloppy-imports --allow-net --allow-env --allow-read --allow-sys examples/deno/server.ts`
 * (after `npm run build`: "oauthkit" resolves to dist/ through the project's node_modules;
 * --sloppy-imports lets the shared app's Node-style `./x.js` imports find the `./x.ts` files)
 */
import { createMemoryStorage } from "oauthkit";
import { createApp } from "../mcp-server/app.js";

// Minimal declaration of the Deno APIs used here (examples/tsconfig.json type-checks for Node only).
declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(options: { port: number; hostname: string; onListen?: () => void }, handler: (request: Request) => Promise<Response>): unknown;
};

const port = Number(Deno.env.get("PORT") ?? 3000);
const origin = `http://localhost:${port}`;
const { handle } = createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" } });

Deno.serve({ port, hostname: "localhost", onListen: () => console.log(`Deno example ready on ${origin}`) }, handle);
