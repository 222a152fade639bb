/**
 * oauthkit on Hono: the shared demo app (examples/mcp-server) mounted as a catch-all route.
 * `PORT=3000 node --import tsx examples/hono/server.ts`
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createMemoryStorage } from "oauthkit";
import { createApp } from "../mcp-server/app.js";

const port = Number(process.env.PORT ?? 3000);
const origin = `http://localhost:${port}`;
const { handle } = createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" } });

const app = new Hono();
// c.req.raw is the untouched Web Request: oauthkit reads the body itself.
app.all("*", (c) => handle(c.req.raw));

serve({ fetch: app.fetch, port, hostname: "localhost" }, () => console.log(`Hono example ready on ${origin}`));
