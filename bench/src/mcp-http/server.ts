/**
 * The reference MCP server (examples/mcp-server) on a real port, for bench/src/mcp-http/load.js:
 * memory storage, one seeded user's bearer token, and the server's CPU time on request.
 * Run through `node --import tsx` (forked by load.js, with IPC). `BENCH_MCP_VARIANT=per-request`
 * answers /mcp as the reference server did before it shared one MCP server: a new McpServer (and
 * its JSON Schema validator) per request, the baseline the shared one is measured against.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createMemoryStorage, generateToken, hashToken } from "../../../dist/index.js";
import { createApp } from "../../../examples/mcp-server/app.js";
import { serve } from "../../../examples/node-http/serve.js";

const variant = process.env.BENCH_MCP_VARIANT ?? "shared";
const storage = createMemoryStorage();
let app: ReturnType<typeof createApp>;

/** The reference handler before: everything built per request. */
async function perRequest(request: Request): Promise<Response> {
  const token = await app.oauth.validateBearerToken(request, { requiredScopes: ["mcp"], requireUser: true });
  if (token instanceof Response) return token;
  const server = new McpServer({ name: "oauthkit-reference", version: "0.1.0" });
  server.registerTool("whoami", { description: "Returns the signed-in user (the token's subject)." }, async () => ({
    content: [{ type: "text", text: token.subject }],
  }));
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  return transport.handleRequest(request, { authInfo: { token: "", clientId: token.clientId, scopes: token.scope, expiresAt: token.expiresAt } });
}

const { origin } = await serve(
  (origin) => {
    app = createApp({ issuer: origin, storage, demo: { username: "bench", password: generateToken() } });
    return (request, connection) =>
      variant === "per-request" && new URL(request.url).pathname === "/mcp" ? perRequest(request) : app.handle(request, connection);
  },
  { port: 0, hostname: "127.0.0.1" },
);

const token = generateToken();
const now = Math.floor(Date.now() / 1000);
const common = { grantId: "bench-grant", clientId: "bench-client", subject: "bench-user", subjectType: "user", scope: ["mcp"], issuedAt: now } as const;
await storage.createGrant(
  { ...common, resource: [`${origin}/mcp`], expiresAt: now + 86_400 },
  { ...common, tokenHash: hashToken(token), audience: [`${origin}/mcp`], expiresAt: now + 86_400 },
);

/** The same call without sockets: the server's own CPU per call, apart from the HTTP adapter. */
async function inProcess(calls: number): Promise<number> {
  const handle = (request: Request) => (variant === "per-request" ? perRequest(request) : app.handle(request));
  const call = async () => {
    const response = await handle(
      new Request(`${origin}/mcp`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      }),
    );
    if (response.status !== 200) throw new Error(`in-process call answered ${response.status}`);
    await response.text();
  };
  for (let i = 0; i < calls; i++) await call(); // warmup
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

process.on("message", (message: unknown) => {
  if (message === "cpu") process.send!({ cpu: process.cpuUsage() });
  if (typeof message === "object" && message !== null && "inProcess" in message) {
    void inProcess((message as { inProcess: number }).inProcess).then((micros) => process.send!({ inProcessMicros: micros }));
  }
  if (message === "exit") process.exit(0);
});
process.send!({ origin, token, variant });
