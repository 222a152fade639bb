/**
 * oauthkit on Express 5: the shared demo app (examples/mcp-server) behind one catch-all middleware.
 * No express.json()/urlencoded() before it: oauthkit reads the raw request body itself.
 * `PORT=3000 node --import tsx examples/express/server.ts`
 */
import express from "express";
import { createMemoryStorage } from "oauthkit";
import { createApp } from "../mcp-server/app.js";
import { sendWebResponse, toWebRequest } from "../node-http/serve.js";

const port = Number(process.env.PORT ?? 3000);
const origin = `http://localhost:${port}`;
const { handle } = createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" } });

const app = express();
app.use(async (req, res, next) => {
  try {
    await sendWebResponse(await handle(toWebRequest(req, origin), { remoteAddress: req.socket.remoteAddress }), res);
  } catch (error) {
    next(error);
  }
});

app.listen(port, "localhost", () => console.log(`Express example ready on ${origin}`));
