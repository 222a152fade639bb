/**
 * CORS for the endpoints that browser-based clients call from another origin: the metadata
 * documents, token, revocation, introspection and registration (Fetch Standard §3.2, "CORS
 * protocol").
 *
 * The default admits every origin (`*`), which is safe here because none of these endpoints
 * relies on ambient credentials: every request carries its own (a client secret, a code and its
 * PKCE verifier, a refresh token, a registration access token), oauthkit never sets
 * `Access-Control-Allow-Credentials`, and browsers never attach cookies to a `*` response. A page
 * on another origin can do nothing through CORS that it could not do with the credentials it
 * already holds. Restricting origins narrows which web apps can be public clients; it is not
 * access control (non-browser clients ignore CORS).
 *
 * @module
 */

/**
 * The `cors` option of {@link createAuthorizationServer}: which origins may read the endpoints'
 * responses, and which response headers their scripts may read.
 *
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export interface CorsConfig {
  /**
   * `"*"` (default): any origin. A list: only these origins, each in serialized form
   * (`https://app.example.com`, `http://localhost:5173`: scheme, host and non-default port, no
   * path, no trailing `/`). A function: called with the request's `Origin` header, returns
   * whether it is admitted (a function that throws admits nothing and is reported to `onError`).
   * A refused origin gets its answer without `Access-Control-Allow-Origin`, which the browser then
   * withholds from the page.
   */
  origins?: "*" | readonly string[] | ((origin: string) => boolean);
  /**
   * Response headers scripts may read besides the CORS-safelisted ones
   * (`Access-Control-Expose-Headers`), e.g. `["WWW-Authenticate"]`. Default none.
   */
  exposedHeaders?: readonly string[];
}

/** The `cors` option with its defaults applied, as {@link ResolvedConfig} holds it. */
export interface CorsPolicy {
  /** {@link CorsConfig.origins}: `"*"`, the admitted origins, or the host's judge. */
  origins: "*" | readonly string[] | ((origin: string) => boolean);
  /** {@link CorsConfig.exposedHeaders}. */
  exposedHeaders: readonly string[];
}

// RFC 9110 §5.1: a field name is a token.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Applies the defaults and checks the `cors` option.
 *
 * @throws {TypeError} naming `cors.origins` or `cors.exposedHeaders` on a configuration mistake.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function resolveCors(config: CorsConfig | undefined): CorsPolicy {
  if (config === undefined) return { origins: "*", exposedHeaders: [] };
  if (typeof config !== "object" || config === null) throw new TypeError("cors must be an object: { origins, exposedHeaders }.");
  const origins: unknown = config.origins ?? "*";
  if (origins !== "*" && typeof origins !== "function") {
    if (!Array.isArray(origins)) throw new TypeError('cors.origins must be "*", an array of origins, or a function.');
    for (const origin of origins as unknown[]) {
      if (typeof origin !== "string" || serializedOrigin(origin) !== origin) {
        throw new TypeError(
          `cors.origins: ${JSON.stringify(origin)} is not an origin as browsers send it (scheme, lower-case host and non-default port, no path or trailing "/", e.g. https://app.example.com).`,
        );
      }
    }
  }
  const exposed: unknown = config.exposedHeaders ?? [];
  if (!Array.isArray(exposed) || !exposed.every((name) => typeof name === "string" && TOKEN.test(name))) {
    throw new TypeError("cors.exposedHeaders must be an array of header names.");
  }
  return {
    origins: Array.isArray(origins) ? [...(origins as string[])] : (origins as CorsPolicy["origins"]),
    exposedHeaders: [...(exposed as string[])],
  };
}

function serializedOrigin(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** The CORS side of the endpoints' answers: one {@link CorsPolicy} applied the same way to every route. */
export interface Cors {
  /** Adds the CORS headers this request's origin gets to an endpoint's response, and returns it. */
  apply(request: Request, response: Response): Response;
  /** The answer to a CORS preflight (`OPTIONS`): `204`, with the CORS headers only for an admitted origin. */
  preflight(request: Request): Response;
  /**
   * The same headers as plain data, for adapters that write responses without Web objects
   * (node:http): those of a preflight's answer or of an endpoint's, for a request whose `Origin`
   * header is `origin` (`null`: none). `standIn` builds the request an `origins` function's
   * failure is reported with, only then. The object returned may be shared: copy it, do not change it.
   */
  headers(origin: string | null, answer: "preflight" | "response", standIn: () => Request): Readonly<Record<string, string>>;
}

const PREFLIGHT_HEADERS = {
  "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, MCP-Protocol-Version",
  "Access-Control-Max-Age": "86400",
} as const;

/**
 * Builds what {@link CorsPolicy} means for each response, once.
 *
 * @param policy the resolved `cors` option.
 * @param report told when an `origins` function throws (the origin is then refused).
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function createCors(policy: CorsPolicy, report: (error: unknown, request: Request) => void): Cors {
  type HeaderValues = Readonly<Record<string, string>>;
  const exposed: HeaderValues = policy.exposedHeaders.length === 0 ? {} : { "Access-Control-Expose-Headers": policy.exposedHeaders.join(", ") };
  const { origins } = policy;
  // With an origin list or function the answer depends on Origin: caches must key on it, for
  // refused origins too (the metadata documents are cacheable).
  const refused: HeaderValues = Object.freeze<Record<string, string>>(origins === "*" ? {} : { Vary: "Origin" });
  // With "*" the headers are the same for every request: built once.
  const anyOrigin: { preflight: HeaderValues; response: HeaderValues } | undefined =
    origins === "*"
      ? {
          preflight: Object.freeze({ "Access-Control-Allow-Origin": "*", ...PREFLIGHT_HEADERS }),
          response: Object.freeze({ "Access-Control-Allow-Origin": "*", ...exposed }),
        }
      : undefined;
  const admits = (origin: string, standIn: () => Request): boolean => {
    if (typeof origins !== "function") return origins.includes(origin);
    try {
      return origins(origin) === true;
    } catch (error) {
      try {
        report(error, standIn());
      } catch {
        // A failing reporter must not turn the refusal into a crash.
      }
      return false;
    }
  };
  const headers: Cors["headers"] = (origin, answer, standIn) => {
    if (anyOrigin !== undefined) return anyOrigin[answer];
    if (origin === null || !admits(origin, standIn)) return refused;
    return { Vary: "Origin", "Access-Control-Allow-Origin": origin, ...(answer === "preflight" ? PREFLIGHT_HEADERS : exposed) };
  };
  const set = (target: Headers, values: Readonly<Record<string, string>>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (name === "Vary") target.append(name, value);
      else target.set(name, value);
    }
  };
  return {
    apply(request, response) {
      set(response.headers, headers(request.headers.get("origin"), "response", () => request));
      return response;
    },
    preflight(request) {
      const response = new Response(null, { status: 204 });
      set(response.headers, headers(request.headers.get("origin"), "preflight", () => request));
      return response;
    },
    headers,
  };
}
