/**
 * The `cors` option: which origins may read the answers `handleRequest` gives, per the Fetch
 * Standard's CORS protocol (https://fetch.spec.whatwg.org/#http-cors-protocol). Default `*`;
 * with a list or a function only admitted origins get `Access-Control-Allow-Origin`, and
 * preflights answer the same way. Never `Access-Control-Allow-Credentials`.
 */
import { describe, expect, it } from "vitest";
import { createCors, resolveCors } from "../../src/http/cors.js";
import { type CorsConfig, createAuthorizationServer, createMemoryStorage } from "../../src/index.js";

const ISSUER = "https://auth.example.com";
const APP = "https://app.example.com";
const OTHER = "https://evil.example";
const METADATA = `${ISSUER}/.well-known/oauth-authorization-server`;

function create(cors?: CorsConfig, reports: unknown[] = []) {
  return createAuthorizationServer({
    issuer: ISSUER,
    storage: createMemoryStorage(),
    resources: ["https://api.example.com/mcp"],
    onError: (error) => reports.push(error),
    ...(cors === undefined ? {} : { cors }),
  });
}

const get = (url: string, origin?: string) => new Request(url, origin === undefined ? {} : { headers: { Origin: origin } });
const preflight = (url: string, origin?: string) =>
  new Request(url, {
    method: "OPTIONS",
    headers: { ...(origin === undefined ? {} : { Origin: origin }), "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization" },
  });
const tokenRequest = (origin: string) =>
  new Request(`${ISSUER}/token`, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
    body: "grant_type=authorization_code&client_id=nobody&code=x",
  });

function corsHeaders(response: Response | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of response?.headers ?? []) if (name.startsWith("access-control-") || name === "vary") out[name] = value;
  return out;
}

describe("CORS: default, every origin (*)", () => {
  it("answers every origin, and a request without Origin, with Access-Control-Allow-Origin: *", async () => {
    const server = create();
    for (const origin of [APP, OTHER, undefined]) {
      const response = await server.handleRequest(get(METADATA, origin));
      expect(response?.status).toBe(200);
      expect(corsHeaders(response)).toEqual({ "access-control-allow-origin": "*" });
    }
  });

  it("answers an error of the token endpoint with * too, so a browser client can read it", async () => {
    const response = await create().handleRequest(tokenRequest(OTHER));
    expect(response?.status).toBe(401);
    expect(corsHeaders(response)).toEqual({ "access-control-allow-origin": "*" });
  });

  it("answers a preflight with 204, the methods, headers and max-age", async () => {
    const response = await create().handleRequest(preflight(`${ISSUER}/token`, OTHER));
    expect(response?.status).toBe(204);
    expect(corsHeaders(response)).toEqual({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
      "access-control-allow-headers": "Authorization, Content-Type, MCP-Protocol-Version",
      "access-control-max-age": "86400",
    });
  });
});

describe("CORS: a list of origins", () => {
  const server = create({ origins: [APP, "http://localhost:5173"] });

  it("echoes an admitted origin, with Vary: Origin", async () => {
    for (const origin of [APP, "http://localhost:5173"]) {
      const response = await server.handleRequest(get(METADATA, origin));
      expect(response?.status).toBe(200);
      expect(corsHeaders(response)).toEqual({ "access-control-allow-origin": origin, vary: "Origin" });
    }
  });

  it("gives a refused origin, or none, its answer without Access-Control-Allow-Origin, still with Vary: Origin (the document is cacheable)", async () => {
    for (const origin of [OTHER, `${APP}.evil.example`, "http://app.example.com", "null", undefined]) {
      const response = await server.handleRequest(get(METADATA, origin));
      expect(response?.status).toBe(200);
      expect(response?.headers.get("cache-control")).toContain("public");
      expect(corsHeaders(response), String(origin)).toEqual({ vary: "Origin" });
    }
    const token = await server.handleRequest(tokenRequest(OTHER));
    expect(token?.status).toBe(401);
    expect(corsHeaders(token)).toEqual({ vary: "Origin" });
  });

  it("answers a preflight per origin: the CORS headers for an admitted one, none for a refused one", async () => {
    const admitted = await server.handleRequest(preflight(`${ISSUER}/token`, APP));
    expect(admitted?.status).toBe(204);
    expect(corsHeaders(admitted)).toEqual({
      "access-control-allow-origin": APP,
      "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
      "access-control-allow-headers": "Authorization, Content-Type, MCP-Protocol-Version",
      "access-control-max-age": "86400",
      vary: "Origin",
    });
    for (const origin of [OTHER, undefined]) {
      const refused = await server.handleRequest(preflight(`${ISSUER}/token`, origin));
      expect(refused?.status).toBe(204);
      expect(corsHeaders(refused)).toEqual({ vary: "Origin" });
    }
  });

  it("applies to the 421 answer for another origin too", async () => {
    const admitted = await server.handleRequest(get("http://10.0.0.5:8080/.well-known/oauth-authorization-server", APP));
    expect(admitted?.status).toBe(421);
    expect(corsHeaders(admitted)).toEqual({ "access-control-allow-origin": APP, vary: "Origin" });
    const refused = await server.handleRequest(get("http://10.0.0.5:8080/.well-known/oauth-authorization-server", OTHER));
    expect(corsHeaders(refused)).toEqual({ vary: "Origin" });
  });
});

describe("CORS: a function of the origin", () => {
  it("admits what it returns true for, and hands it the Origin header as sent", async () => {
    const seen: string[] = [];
    const server = create({ origins: (origin) => (seen.push(origin), origin.endsWith(".example.com")) });
    expect(corsHeaders(await server.handleRequest(get(METADATA, APP)))).toEqual({ "access-control-allow-origin": APP, vary: "Origin" });
    expect(corsHeaders(await server.handleRequest(get(METADATA, OTHER)))).toEqual({ vary: "Origin" });
    expect(corsHeaders(await server.handleRequest(get(METADATA)))).toEqual({ vary: "Origin" });
    expect(seen).toEqual([APP, OTHER]);
  });

  it("refuses the origin when the function throws, and reports the error to onError", async () => {
    const reports: unknown[] = [];
    const failure = new Error("allow-list unavailable");
    const server = create({ origins: () => { throw failure; } }, reports);
    const response = await server.handleRequest(get(METADATA, APP));
    expect(response?.status).toBe(200);
    expect(corsHeaders(response)).toEqual({ vary: "Origin" });
    expect(reports).toEqual([failure]);
  });

  it("refuses anything but a true result (a truthy string is not an answer)", async () => {
    const server = create({ origins: (() => "yes") as unknown as (origin: string) => boolean });
    expect(corsHeaders(await server.handleRequest(get(METADATA, APP)))).toEqual({ vary: "Origin" });
  });
});

describe("CORS: exposed headers", () => {
  it("lists exposedHeaders on answers to an admitted origin, not on preflights nor to a refused origin", async () => {
    const server = create({ origins: [APP], exposedHeaders: ["WWW-Authenticate", "DPoP-Nonce"] });
    const token = await server.handleRequest(tokenRequest(APP));
    expect(token?.status).toBe(401);
    expect(token?.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect(token?.headers.get("access-control-expose-headers")).toBe("WWW-Authenticate, DPoP-Nonce");
    expect((await server.handleRequest(preflight(`${ISSUER}/token`, APP)))?.headers.get("access-control-expose-headers")).toBeNull();
    expect((await server.handleRequest(tokenRequest(OTHER)))?.headers.get("access-control-expose-headers")).toBeNull();
  });

  it("exposes them to every origin with *", async () => {
    const response = await create({ exposedHeaders: ["WWW-Authenticate"] }).handleRequest(get(METADATA, OTHER));
    expect(corsHeaders(response)).toEqual({ "access-control-allow-origin": "*", "access-control-expose-headers": "WWW-Authenticate" });
  });
});

describe("CORS: configuration mistakes are TypeErrors naming the option", () => {
  it.each([
    ["a trailing slash", "https://app.example.com/"],
    ["a path", "https://app.example.com/app"],
    ["an upper-case host", "https://App.example.com"],
    ["a default port", "https://app.example.com:443"],
    ["no scheme", "app.example.com"],
    ["the opaque origin", "null"],
    ["a wildcard inside a list", "*"],
  ])("refuses an origin with %s", (_what, origin) => {
    expect(() => create({ origins: [origin] })).toThrow(TypeError);
    expect(() => create({ origins: [origin] })).toThrow(/^cors\.origins: /);
  });

  it("refuses origins that are neither *, a list nor a function, and header names that are not tokens", () => {
    expect(() => create({ origins: "https://app.example.com" as unknown as "*" })).toThrow('cors.origins must be "*", an array of origins, or a function.');
    expect(() => create({ exposedHeaders: ["WWW Authenticate"] })).toThrow("cors.exposedHeaders must be an array of header names.");
    expect(() => create({ exposedHeaders: "WWW-Authenticate" as unknown as string[] })).toThrow("cors.exposedHeaders must be an array of header names.");
  });

  it("resolves into server.config.cors", () => {
    expect(create().config.cors).toEqual({ origins: "*", exposedHeaders: [] });
    expect(create({ origins: [APP] }).config.cors).toEqual({ origins: [APP], exposedHeaders: [] });
  });
});

describe("CORS: never credentials", () => {
  it("sends no Access-Control-Allow-Credentials in any mode (the endpoints take explicit credentials, not cookies)", async () => {
    for (const cors of [undefined, { origins: [APP] }, { origins: () => true }] as const) {
      const server = create(cors);
      for (const request of [get(METADATA, APP), preflight(`${ISSUER}/token`, APP), tokenRequest(APP)]) {
        expect((await server.handleRequest(request))?.headers.get("access-control-allow-credentials")).toBeNull();
      }
    }
  });
});

describe("CORS as plain headers (for adapters without Web objects, e.g. node:http)", () => {
  const neverBuilt = () => {
    throw new Error("the stand-in request is built only to report a failure");
  };

  it("gives the same headers as the Web answers, per origin and kind of answer", () => {
    const any = createCors(resolveCors({ exposedHeaders: ["WWW-Authenticate"] }), () => undefined);
    expect(any.headers(OTHER, "response", neverBuilt)).toEqual({ "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "WWW-Authenticate" });
    expect(any.headers(null, "preflight", neverBuilt)).toEqual({
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
      "Access-Control-Allow-Headers": "Authorization, Content-Type, MCP-Protocol-Version",
      "Access-Control-Max-Age": "86400",
    });
    const listed = createCors(resolveCors({ origins: [APP] }), () => undefined);
    expect(listed.headers(APP, "response", neverBuilt)).toEqual({ Vary: "Origin", "Access-Control-Allow-Origin": APP });
    expect(listed.headers(APP, "preflight", neverBuilt)).toMatchObject({ "Access-Control-Allow-Origin": APP, "Access-Control-Max-Age": "86400" });
    expect(listed.headers(OTHER, "preflight", neverBuilt)).toEqual({ Vary: "Origin" });
    expect(listed.headers(null, "response", neverBuilt)).toEqual({ Vary: "Origin" });
  });

  it("reports a throwing origins function with the stand-in request, and refuses the origin", () => {
    const reports: [unknown, string][] = [];
    const failure = new Error("down");
    const cors = createCors(resolveCors({ origins: () => { throw failure; } }), (error, request) => reports.push([error, request.url]));
    expect(cors.headers(APP, "response", () => new Request(`${ISSUER}/token`, { method: "POST" }))).toEqual({ Vary: "Origin" });
    expect(reports).toEqual([[failure, `${ISSUER}/token`]]);
  });
});
