/**
 * Serves a Web `(Request) => Promise<Response>` handler over real HTTP on 127.0.0.1 for tests.
 */
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export type WebHandler = (request: Request) => Promise<Response>;

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
  } as RequestInit);
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** Starts a server on a free loopback port; `handler` receives `origin` so it can build its issuer. */
export async function serve(makeHandler: (origin: string) => WebHandler): Promise<RunningServer> {
  let handler: WebHandler | undefined;
  let origin = "";
  const server = createServer((req, res) => {
    handler!(toRequest(req, origin))
      .then((response) => send(response, res))
      .catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  handler = makeHandler(origin);
  return {
    url: origin,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
