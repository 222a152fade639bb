/**
 * Serving a Web `(Request) => Promise<Response>` handler with node:http: the whole adapter
 * oauthkit needs on Node (Deno and Bun serve such handlers natively).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

/** A Web handler; the second argument carries the connection's address (for rate limiting). */
export type FetchHandler = (request: Request, connection: { remoteAddress?: string | undefined }) => Promise<Response>;

/** node:http request → Web Request (the body is streamed, not buffered). */
export function toWebRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  // The path is appended to the origin, never resolved against it: a target like `//other.host/x`
  // must stay a path on this origin.
  const path = req.url?.startsWith("/") ? req.url : "/";
  return new Request(`${origin}${path}`, {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

/** Web Response → node:http response, streaming the body (MCP may answer with an event stream). */
export async function sendWebResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  // getSetCookie keeps several Set-Cookie headers apart.
  response.headers.forEach((value, name) => name !== "set-cookie" && res.setHeader(name, value));
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (response.body === null) return void res.end();
  // pipeline respects backpressure and cancels the body when the client goes away (an MCP event
  // stream may be long-lived); it destroys both ends on failure, so there is nothing left to answer.
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res).catch((error: { code?: string }) => {
    if (error.code !== "ERR_STREAM_PREMATURE_CLOSE") console.error(error);
  });
}

/** Starts a server; `port: 0` picks a free one. Resolves once it listens. */
export async function serve(
  makeHandler: (origin: string) => FetchHandler,
  options: { port: number; hostname?: string; origin?: string },
): Promise<{ server: Server; origin: string; close(): Promise<void> }> {
  const hostname = options.hostname ?? "localhost";
  let handler: FetchHandler | undefined;
  let origin = "";
  const server = createServer((req, res) => {
    handler!(toWebRequest(req, origin), { remoteAddress: req.socket.remoteAddress })
      .then((response) => sendWebResponse(response, res))
      .catch((error: unknown) => {
        console.error(error);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(options.port, hostname, resolve));
  const { port } = server.address() as AddressInfo;
  origin = options.origin ?? `http://${hostname}:${port}`;
  handler = makeHandler(origin);
  return { server, origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
