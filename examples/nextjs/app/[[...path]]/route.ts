/**
 * oauthkit on Next.js (App Router): the shared demo app (examples/mcp-server) behind one optional
 * catch-all route handler, so every path ("/", "/.well-known/…", "/authorize", "/mcp") reaches it.
 * `npx next build examples/nextjs && PORT=3000 npx next start examples/nextjs -H localhost`
 */
import { createMemoryStorage } from "oauthkit";
import { createApp } from "../../../mcp-server/app.js";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const origin = `http://localhost:${process.env.PORT ?? 3000}`;
// One app (and one in-memory store) per process, kept on globalThis across module reloads.
const shared = globalThis as { oauthkitDemo?: ReturnType<typeof createApp> };
const app = (shared.oauthkitDemo ??= createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" } }));

// Next hands a route handler a Web Request (NextRequest extends it) with the body unread.
const handle = (request: Request) => app.handle(request);
export { handle as DELETE, handle as GET, handle as OPTIONS, handle as POST, handle as PUT };
