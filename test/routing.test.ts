/**
 * How `handleRequest` matches requests: by the issuer's origin and path (default), with an
 * explained `421 Misdirected Request` for an endpoint's path on another origin, or by path alone
 * (`routing: "path"`) behind a proxy that rewrites the origin.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createAuthorizationServer, createMemoryStorage } from "../src/index.js";

const ISSUER = "https://auth.example.com";
const INTERNAL = "http://10.0.0.5:8080";

function create(options: { routing?: "issuer-origin" | "path"; issuer?: string; onError?: (error: unknown, request: Request) => void } = {}) {
  const reports: { error: unknown; url: string }[] = [];
  const server = createAuthorizationServer({
    issuer: options.issuer ?? ISSUER,
    storage: createMemoryStorage(),
    resources: ["https://api.example.com/mcp"],
    endpoints: { registration: "/register" },
    ...(options.routing === undefined ? {} : { routing: options.routing }),
    onError: options.onError ?? ((error, request) => reports.push({ error, url: request.url })),
  });
  return { server, reports };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("routing: issuer origin (default)", () => {
  it("answers an endpoint path on another origin with 421 and an explanation (RFC 9110 §15.5.20)", async () => {
    const { server, reports } = create();
    const response = await server.handleRequest(new Request(`${INTERNAL}/.well-known/oauth-authorization-server`));
    expect(response?.status).toBe(421);
    expect(response?.headers.get("content-type")).toBe("application/json");
    expect(response?.headers.get("cache-control")).toBe("no-store");
    expect(response?.headers.get("access-control-allow-origin")).toBe("*");
    const body = await response?.json();
    expect(body.error).toBe("invalid_request");
    expect(body.error_description).toContain(`served on ${ISSUER}`);
    expect(body.error_description).toContain(`addressed to ${INTERNAL}`);
    expect(body.error_description).toContain('routing: "path"');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.url).toBe(`${INTERNAL}/.well-known/oauth-authorization-server`);
    expect(String(reports[0]!.error)).toContain("misdirected request");
  });

  it("explains the token endpoint, the registration endpoint and its client paths on another origin too", async () => {
    const { server } = create();
    const token = await server.handleRequest(new Request(`${INTERNAL}/token`, { method: "POST", body: "grant_type=x" }));
    expect(token?.status).toBe(421);
    expect((await token?.json()).error).toBe("invalid_request");
    expect((await server.handleRequest(new Request(`${INTERNAL}/register`, { method: "POST", body: "{}" })))?.status).toBe(421);
    expect((await server.handleRequest(new Request(`${INTERNAL}/register/some-client`)))?.status).toBe(421);
  });

  it("names the resource's origin for a misdirected protected-resource metadata request (RFC 9728 §3)", async () => {
    const { server } = create();
    const response = await server.handleRequest(new Request(`${ISSUER}/.well-known/oauth-protected-resource/mcp`));
    expect(response?.status).toBe(421);
    expect((await response?.json()).error_description).toContain("served on https://api.example.com");
    const served = await server.handleRequest(new Request("https://api.example.com/.well-known/oauth-protected-resource/mcp"));
    expect(served?.status).toBe(200);
  });

  it("reports each misdirected origin once, and at most 32 of them", async () => {
    const { server, reports } = create();
    for (let i = 0; i < 3; i++) await server.handleRequest(new Request(`${INTERNAL}/token`, { method: "POST" }));
    expect(reports).toHaveLength(1);
    for (let i = 0; i < 40; i++) {
      const response = await server.handleRequest(new Request(`http://host-${i}.internal/token`, { method: "POST" }));
      expect(response?.status).toBe(421);
    }
    expect(reports).toHaveLength(32);
  });

  it("logs with console.error when no onError is configured, and survives a throwing reporter", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const server = createAuthorizationServer({ issuer: ISSUER, storage: createMemoryStorage() });
    expect((await server.handleRequest(new Request(`${INTERNAL}/token`, { method: "POST" })))?.status).toBe(421);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]!.join(" "))).toContain("misdirected request");

    const throwing = create({
      onError: () => {
        throw new Error("reporter down");
      },
    });
    expect((await throwing.server.handleRequest(new Request(`${INTERNAL}/token`, { method: "POST" })))?.status).toBe(421);
  });

  it("still returns null for paths that are not endpoints, on any origin", async () => {
    const { server, reports } = create();
    expect(await server.handleRequest(new Request(`${INTERNAL}/mcp`))).toBeNull();
    expect(await server.handleRequest(new Request(`${ISSUER}/authorize`))).toBeNull();
    expect(await server.handleRequest(new Request(`${INTERNAL}/token/extra`))).toBeNull();
    expect(reports).toHaveLength(0);
  });

  it("serves the issuer's origin as before", async () => {
    const { server, reports } = create();
    const response = await server.handleRequest(new Request(`${ISSUER}/.well-known/oauth-authorization-server`));
    expect(response?.status).toBe(200);
    expect(reports).toHaveLength(0);
  });
});

describe('routing: "path"', () => {
  it("serves endpoints whatever the origin, and every URL it emits comes from the issuer (RFC 8414 §3.3)", async () => {
    const { server, reports } = create({ routing: "path" });
    const response = await server.handleRequest(new Request(`${INTERNAL}/.well-known/oauth-authorization-server`, { headers: { Host: "evil.example" } }));
    expect(response?.status).toBe(200);
    const metadata = await response?.json();
    expect(metadata.issuer).toBe(ISSUER);
    expect(metadata.token_endpoint).toBe(`${ISSUER}/token`);
    expect(metadata.registration_endpoint).toBe(`${ISSUER}/register`);
    expect(reports).toHaveLength(0);
  });

  it("routes the token endpoint and registration by path: a real registration through the internal origin", async () => {
    const { server } = create({ routing: "path" });
    const registered = await server.handleRequest(
      new Request(`${INTERNAL}/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none" }),
      }),
    );
    expect(registered?.status).toBe(201);
    const body = await registered?.json();
    expect(body.registration_client_uri).toBe(`${ISSUER}/register/${body.client_id}`);
    const token = await server.handleRequest(
      new Request(`${INTERNAL}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "grant_type=authorization_code&code=nope&code_verifier=x&client_id=" + body.client_id,
      }),
    );
    expect(token?.status).toBe(400);
    expect((await token?.json()).error).toBe("invalid_grant");
  });

  it("routes under an issuer's path only, and returns null elsewhere", async () => {
    const { server } = create({ routing: "path", issuer: "https://example.com/tenant1" });
    const metadata = await server.handleRequest(new Request(`${INTERNAL}/.well-known/oauth-authorization-server/tenant1`));
    expect((await metadata?.json()).issuer).toBe("https://example.com/tenant1");
    expect((await server.handleRequest(new Request(`${INTERNAL}/tenant1/token`, { method: "OPTIONS" })))?.status).toBe(204);
    expect(await server.handleRequest(new Request(`${INTERNAL}/token`, { method: "POST" }))).toBeNull();
    expect(await server.handleRequest(new Request(`${INTERNAL}/mcp`))).toBeNull();
  });

  it("refuses an unknown routing mode as a configuration error naming the option", () => {
    expect(() =>
      createAuthorizationServer({ issuer: ISSUER, storage: createMemoryStorage(), routing: "host" as "path" }),
    ).toThrow(new TypeError('routing must be "issuer-origin" or "path": host'));
  });
});
