/**
 * oauthkit on Fastify 5: the shared demo app (examples/mcp-server) behind one catch-all route. The
 * route hijacks the reply and hands the untouched node request and response to oauthkit/node,
 * which answers the OAuth endpoints from them directly (no Web objects, node:crypto hashing); the
 * rest of the app (sign-in, consent, MCP) goes through its Web handler. The catch-all content-type
 * parser keeps Fastify from consuming the body first.
 * `PORT=3000 node --import tsx examples/fastify/server.ts`
 */
import Fastify from "fastify";
import { createMemoryStorage } from "oauthkit";
import { createNodeHandler, nodeHashToken, toWebRequest, writeWebResponse } from "oauthkit/node";
import { createApp } from "../mcp-server/app.js";

const port = Number(process.env.PORT ?? 3000);
const origin = `http://localhost:${port}`;
const { handle, oauth } = createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" }, hash: nodeHashToken });
const handleOAuth = createNodeHandler(oauth, { origin });

const fastify = Fastify();
// Leave every body unparsed (the stream stays in request.raw); the built-in JSON parser would read it.
fastify.removeAllContentTypeParsers();
fastify.addContentTypeParser("*", (_request, _payload, done) => done(null));
fastify.all("/*", async (request, reply) => {
  reply.hijack();
  if (await handleOAuth(request.raw, reply.raw)) return;
  await writeWebResponse(await handle(toWebRequest(request.raw, origin), { remoteAddress: request.raw.socket.remoteAddress }), reply.raw);
});

await fastify.listen({ port, host: "localhost" });
console.log(`Fastify example ready on ${origin}`);
