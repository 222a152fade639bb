/**
 * Serving a Web `(Request) => Promise<Response>` handler with node:http, optionally behind a node
 * handler that answers first (oauthkit/node's `createNodeHandler`: the OAuth endpoints without
 * Web objects). The bridge itself (`toWebRequest`, `writeWebResponse`) comes from oauthkit/node.
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type NodeRequestHandler, toWebRequest, writeWebResponse } from "oauthkit/node";

/** A Web handler; the second argument carries the connection's address (for rate limiting). */
export type FetchHandler = (request: Request, connection: { remoteAddress?: string | undefined }) => Promise<Response>;

/** A Web handler, and a node handler asked first (it resolves `false` for what it does not serve). */
export interface Handlers {
  fetch: FetchHandler;
  node?: NodeRequestHandler;
}

/** @deprecated Use `toWebRequest` from oauthkit/node; kept for the tests and examples that import it from here. */
export { toWebRequest, writeWebResponse as sendWebResponse };

/** Starts a server; `port: 0` picks a free one. Resolves once it listens. */
export async function serve(
  makeHandler: (origin: string) => FetchHandler | Handlers,
  options: { port: number; hostname?: string; origin?: string },
): Promise<{ server: Server; origin: string; close(): Promise<void> }> {
  const hostname = options.hostname ?? "localhost";
  let handlers: Handlers | undefined;
  let origin = "";
  const server = createServer((req, res) => {
    const { fetch, node } = handlers!;
    (node === undefined ? Promise.resolve(false) : node(req, res))
      .then((handled) => (handled ? undefined : fetch(toWebRequest(req, origin), { remoteAddress: req.socket.remoteAddress }).then((response) => writeWebResponse(response, res))))
      .catch((error: unknown) => {
        console.error(error);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(options.port, hostname, resolve));
  const { port } = server.address() as AddressInfo;
  origin = options.origin ?? `http://${hostname}:${port}`;
  const made = makeHandler(origin);
  handlers = typeof made === "function" ? { fetch: made } : made;
  return { server, origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
