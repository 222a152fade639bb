/**
 * Serves a Web `(Request) => Promise<Response>` handler over real HTTP on 127.0.0.1 for tests,
 * with the same node:http glue the examples use.
 */
import { type FetchHandler, serve as serveNode } from "../../examples/node-http/serve.js";
import { type AuthorizationServerConfig, createAuthorizationServer } from "../../src/index.js";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export type WebHandler = FetchHandler;

/** Starts a server on a free loopback port; `makeHandler` receives the origin to build its issuer. */
export async function serve(makeHandler: (origin: string) => WebHandler): Promise<RunningServer> {
  const running = await serveNode(makeHandler, { port: 0, hostname: "127.0.0.1" });
  return { url: running.origin, port: Number(new URL(running.origin).port), close: running.close };
}

/**
 * The host app the interop tests drive over real HTTP: oauthkit's endpoints, an `/authorize`
 * where "alice" signs in and approves whatever is asked, and `/api`, a protected route that needs
 * the `read` scope and answers `{ hello: <subject> }`.
 */
export function serveApprovingHost(configure: (origin: string) => AuthorizationServerConfig): Promise<RunningServer> {
  return serve((origin) => {
    const server = createAuthorizationServer(configure(origin));
    return async (request) => {
      const handled = await server.handleRequest(request);
      if (handled !== null) return handled;
      const { pathname } = new URL(request.url);
      if (pathname === "/authorize") {
        const parsed = await server.parseAuthorizationRequest(request);
        if (parsed instanceof Response) return parsed;
        return server.issueAuthorizationCode(parsed, { subject: "alice" });
      }
      if (pathname === "/api") {
        const token = await server.validateBearerToken(request, { requiredScopes: ["read"] });
        if (token instanceof Response) return token;
        return Response.json({ hello: token.subject });
      }
      return new Response("not found", { status: 404 });
    };
  });
}
