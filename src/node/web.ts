/// <reference types="node" />
/**
 * The bridge between node:http and Web `Request`/`Response`, for what the Node fast path leaves to
 * the Web handlers (registration, misdirected requests) and for a host's own Web handlers.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

/**
 * A node:http request as a Web `Request` on `origin`. The body is streamed, not buffered. The
 * path is appended to the origin, never resolved against it: a target such as `//other.host/x`
 * stays a path on this origin.
 *
 * @param req - The node:http request (Express's and Fastify's raw request are ones).
 * @param origin - The public origin the request arrived on, e.g. `https://auth.example.com`.
 * @returns The Web request.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.1
 */
export function toWebRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const path = req.url?.startsWith("/") ? req.url : "/";
  return new Request(`${origin}${path}`, {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

/**
 * Writes a Web `Response` to a node:http response, streaming its body (an MCP event stream may be
 * long-lived) with backpressure; several `Set-Cookie` headers stay apart. Resolves when the body is
 * written or the client went away.
 *
 * @param response - The Web response.
 * @param res - The node:http response.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-6
 */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => name !== "set-cookie" && res.setHeader(name, value));
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (response.body === null) return void res.end();
  // pipeline destroys both ends on failure, so there is nothing left to answer.
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res).catch((error: { code?: string }) => {
    if (error.code !== "ERR_STREAM_PREMATURE_CLOSE") console.error(error);
  });
}
