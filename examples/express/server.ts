/**
 * oauthkit on Express 5: the shared demo app (examples/mcp-server). oauthkit/node's handler answers
 * the OAuth endpoints from Express's request and response directly (no Web objects, node:crypto
 * hashing); a catch-all middleware bridges the rest of the app (sign-in, consent, MCP) to its Web
 * handler. No express.json()/urlencoded() before them: oauthkit reads the raw request body itself.
 * `PORT=3000 node --import tsx examples/express/server.ts`
 */
import express from "express";
import { createMemoryStorage } from "oauthkit";
import { createNodeHandler, nodeHashToken, toWebRequest, writeWebResponse } from "oauthkit/node";
import { createApp } from "../mcp-server/app.js";

const port = Number(process.env.PORT ?? 3000);
const origin = `http://localhost:${port}`;
const { handle, oauth } = createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" }, hash: nodeHashToken });
const handleOAuth = createNodeHandler(oauth, { origin });

const app = express();
app.use(async (req, res, next) => {
  try {
    if (await handleOAuth(req, res)) return;
    await writeWebResponse(await handle(toWebRequest(req, origin), { remoteAddress: req.socket.remoteAddress }), res);
  } catch (error) {
    next(error);
  }
});

app.listen(port, "localhost", () => console.log(`Express example ready on ${origin}`));
