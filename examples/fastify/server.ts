/**
 * oauthkit on Fastify 5: the shared demo app (examples/mcp-server) behind one catch-all route.
 * The route hijacks the reply and hands the untouched node request to oauthkit, which reads the
 * raw body itself; the catch-all content-type parser keeps Fastify from consuming the body first.
 * `PORT=3000 node --import tsx examples/fastify/server.ts`
 */
import Fastify from "fastify";
import { createMemoryStorage } from "oauthkit";
import { createApp } from "../mcp-server/app.js";
import { sendWebResponse, toWebRequest } from "../node-http/serve.js";

const port = Number(process.env.PORT ?? 3000);
const origin = `http://localhost:${port}`;
const { handle } = createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" } });

const fastify = Fastify();
// Leave every body unparsed (the stream stays in request.raw); the built-in JSON parser would read it.
fastify.removeAllContentTypeParsers();
fastify.addContentTypeParser("*", (_request, _payload, done) => done(null));
fastify.all("/*", async (request, reply) => {
  reply.hijack();
  await sendWebResponse(await handle(toWebRequest(request.raw, origin), { remoteAddress: request.raw.socket.remoteAddress }), reply.raw);
});

await fastify.listen({ port, host: "localhost" });
console.log(`Fastify example ready on ${origin}`);
