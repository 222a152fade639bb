import { createServer } from "node:http";
import { Readable } from "node:stream";
import { createAuthorizationServer, createMemoryStorage } from "oauthkit";

const port = Number(process.env.PORT ?? 3000);
const issuer = `http://localhost:${port}`;
const oauth = createAuthorizationServer({
  issuer,
  storage: createMemoryStorage(),
  scopesSupported: ["mcp"],
  resources: [`${issuer}/mcp`],
  endpoints: { registration: "/register" }, // open dynamic client registration (RFC 7591)
});

async function handle(request: Request): Promise<Response> {
  const handled = await oauth.handleRequest(request); // metadata, token, revoke, introspect, register
  if (handled) return handled;
  const { pathname } = new URL(request.url);
  if (pathname === "/authorize") {
    const authRequest = await oauth.parseAuthorizationRequest(request);
    if (authRequest instanceof Response) return authRequest;
    // Sign the user in and ask for consent here (see examples/mcp-server); then:
    return oauth.issueAuthorizationCode(authRequest, { subject: "user-123" });
  }
  if (pathname === "/mcp") {
    const token = await oauth.validateBearerToken(request);
    if (token instanceof Response) return token; // 401 with WWW-Authenticate and resource_metadata
    return Response.json({ hello: token.subject, scope: token.scope });
  }
  return new Response("Not found", { status: 404 });
}

// node:http glue: Node's request as a Web Request (body streamed, so oauthkit's size cap applies).
createServer(async (req, res) => {
  try {
    const headers = Object.entries(req.headers).map(([name, value]): [string, string] => [name, String(value)]);
    const body = req.method === "GET" || req.method === "HEAD" ? {} : { body: Readable.toWeb(req), duplex: "half" };
    const response = await handle(new Request(`${issuer}${req.url}`, { method: req.method, headers, ...body } as RequestInit));
    const payload = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers)).end(payload);
  } catch {
    res.writeHead(500).end();
  }
}).listen(port, "localhost", () => console.log(`oauthkit quickstart ready on ${issuer}`));
