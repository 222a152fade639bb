/**
 * Serves a Web `(Request) => Promise<Response>` handler over real HTTP on 127.0.0.1 for tests,
 * with the same node:http glue the examples use.
 */
import { type FetchHandler, serve as serveNode } from "../../examples/node-http/serve.js";

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
