/**
 * The endpoints as functions of plain inputs, as the Node handler calls them.
 *
 * TRANSITIONAL: until the HTTP-free endpoint core lands (issue 11, branch h-components), this runs
 * the Web handlers on a `Request` built from the plain input. Same answers; not yet the fast path.
 *
 * @module
 */
import type { AuthorizationServer } from "../server.js";

/** What an endpoint reads from a request. */
export interface EndpointInput {
  /** The HTTP method. */
  method: string;
  /** The headers it reads. */
  headers: {
    /** `Authorization`. */
    authorization?: string | undefined;
    /** `Content-Type`. */
    contentType?: string | undefined;
    /** `Origin`. */
    origin?: string | undefined;
  };
  /** The body, read under the cap ("" when none). */
  body: string;
}

/** What an endpoint answers. */
export interface EndpointResult {
  /** The HTTP status. */
  status: number;
  /** Response headers. */
  headers: Record<string, string>;
  /** The body ("" when none). */
  body: string;
}

/** The token, revocation and introspection endpoints of `server` on plain inputs. */
export function endpointCore(server: AuthorizationServer): Record<"token" | "revocation" | "introspection", (input: EndpointInput) => Promise<EndpointResult>> {
  const { endpoints } = server.config;
  const viaWeb = (url: string | undefined, handle: (request: Request) => Promise<Response>) => async (input: EndpointInput): Promise<EndpointResult> => {
    const headers: Record<string, string> = {};
    if (input.headers.authorization !== undefined) headers["authorization"] = input.headers.authorization;
    if (input.headers.contentType !== undefined) headers["content-type"] = input.headers.contentType;
    if (input.headers.origin !== undefined) headers["origin"] = input.headers.origin;
    const hasBody = input.method !== "GET" && input.method !== "HEAD";
    const response = await handle(new Request(url ?? endpoints.token, { method: input.method, headers, ...(hasBody ? { body: input.body } : {}) }));
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => (out[name] = value));
    return { status: response.status, headers: out, body: await response.text() };
  };
  return {
    token: viaWeb(endpoints.token, server.handleTokenRequest),
    revocation: viaWeb(endpoints.revocation, server.handleRevocationRequest),
    introspection: viaWeb(endpoints.introspection, server.handleIntrospectionRequest),
  };
}
