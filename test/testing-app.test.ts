/**
 * The app-testing helpers of `oauthkit/testing/app`: a test server whose minted tokens go through
 * the real bearer validation, and the built entry loading in a plain Node process without vitest.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashTaggedToken } from "../src/index.js";
import { TEST_ISSUER, createTestAuthorizationServer } from "../src/testing/app.js";

const root = join(import.meta.dirname, "..");
const MCP = `${TEST_ISSUER}/mcp`;
const bearer = (token: string, url = MCP) => new Request(url, { headers: { Authorization: `Bearer ${token}` } });

describe("createTestAuthorizationServer", () => {
  it("mints a token that the real bearer validation accepts, with its subject, scope, audience and props (RFC 6750 §2.1)", async () => {
    const { server, issuer, mintAccessToken } = createTestAuthorizationServer();
    expect(issuer).toBe("http://localhost");
    expect(server.config.resources).toEqual([MCP]);
    const token = await mintAccessToken({ subject: "alice", scope: "mcp read", props: { tenant: "t1" } });
    expect(token).toMatch(/^[A-Za-z0-9_-]{4}\.[A-Za-z0-9_-]{43}$/);
    const info = await server.validateBearerToken(bearer(token), { requiredScopes: ["mcp"], requireUser: true });
    expect(info).toMatchObject({ subject: "alice", clientId: "test-client", scope: ["mcp", "read"], audience: [MCP], props: { tenant: "t1" } });
  });

  it("stores only the token's hash, through createGrant (one call)", async () => {
    const { storage, mintAccessToken } = createTestAuthorizationServer();
    const token = await mintAccessToken({ subject: "alice", scope: ["mcp"] });
    const record = await storage.getAccessToken(hashTaggedToken(token));
    expect(record).toMatchObject({ subject: "alice", subjectType: "user", scope: ["mcp"], audience: [MCP], clientId: "test-client" });
    expect(JSON.stringify(record)).not.toContain(token);
  });

  it("is refused with 403 insufficient_scope when the route needs a scope it lacks (RFC 6750 §3.1)", async () => {
    const { server, mintAccessToken } = createTestAuthorizationServer();
    const token = await mintAccessToken({ subject: "alice", scope: "read" });
    const response = await server.validateBearerToken(bearer(token), { requiredScopes: ["mcp"] });
    expect(response).toBeInstanceOf(Response);
    expect((response as Response).status).toBe(403);
    expect((response as Response).headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });

  it("is refused with 401 invalid_token for another resource, once expired, and as a client token on a user route (RFC 8707 §2, RFC 6750 §3.1)", async () => {
    let clock = 1_000_000;
    const { server, mintAccessToken } = createTestAuthorizationServer({ now: () => clock, resources: [MCP, "http://localhost/other"] });
    const other = await mintAccessToken({ subject: "alice", resource: "http://localhost/other" });
    const short = await mintAccessToken({ subject: "alice", expiresIn: 10 });
    const client = await mintAccessToken({ subject: "svc", subjectType: "client", clientId: "svc" });
    const invalid = async (token: string, options = {}) => {
      const response = await server.validateBearerToken(bearer(token), options);
      expect(response).toBeInstanceOf(Response);
      expect((response as Response).status).toBe(401);
      expect((response as Response).headers.get("www-authenticate")).toContain('error="invalid_token"');
    };
    await invalid(other);
    expect(await server.validateBearerToken(bearer(short))).not.toBeInstanceOf(Response);
    clock += 11;
    await invalid(short);
    await invalid(client, { requireUser: true });
    expect(await server.validateBearerToken(bearer(client))).toMatchObject({ subject: "svc", clientId: "svc" });
  });

  it("takes any server option, and its server serves metadata on its issuer (RFC 8414 §3)", async () => {
    const { server, mintAccessToken } = createTestAuthorizationServer({
      issuer: "https://auth.example.com",
      resources: ["https://api.example.com/v1"],
      scopesSupported: ["api"],
    });
    const metadata = await server.handleRequest(new Request("https://auth.example.com/.well-known/oauth-authorization-server"));
    expect((await metadata?.json()).scopes_supported).toEqual(["api"]);
    const token = await mintAccessToken({ subject: "bob", scope: "api" });
    expect(await server.validateBearerToken(bearer(token, "https://api.example.com/v1"))).toMatchObject({ subject: "bob", audience: ["https://api.example.com/v1"] });
  });

  it("mints an audience-less token with resource: [], which bearer validation refuses (RFC 8707 §2)", async () => {
    const { server, mintAccessToken } = createTestAuthorizationServer();
    const token = await mintAccessToken({ subject: "alice", resource: [] });
    const response = await server.validateBearerToken(bearer(token));
    expect((response as Response).status).toBe(401);
    expect((response as Response).headers.get("www-authenticate")).toContain('error="invalid_token"');
  });
});

const built = existsSync(join(root, "dist", "testing-app.js"));

describe.skipIf(!built)("the built oauthkit/testing/app", () => {
  it("runs in a plain Node process where importing vitest fails", () => {
    // A resolve hook that makes "vitest" unresolvable: the entry must not need it.
    const hooks = `export async function resolve(specifier, context, next) {
      if (specifier === "vitest" || specifier.startsWith("vitest/")) throw new Error("vitest is not installed here");
      return next(specifier, context);
    }`;
    const script = `
      import { register } from "node:module";
      register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
      await import("vitest").then(() => { throw new Error("the hook did not block vitest"); }, () => {});
      const { createTestAuthorizationServer, countStorageCalls } = await import(${JSON.stringify(join(root, "dist", "testing-app.js"))});
      const { server, mintAccessToken } = createTestAuthorizationServer();
      const token = await mintAccessToken({ subject: "plain-node", scope: "mcp" });
      const info = await server.validateBearerToken(new Request("http://localhost/mcp", { headers: { Authorization: "Bearer " + token } }), { requiredScopes: ["mcp"] });
      console.log(JSON.stringify({ subject: info.subject, counter: typeof countStorageCalls }));
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 30_000 });
    expect(JSON.parse(output.trim().split("\n").at(-1)!)).toEqual({ subject: "plain-node", counter: "function" });
  });

  it("is listed in package.json exports", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.exports["./testing/app"]).toEqual({ types: "./dist/testing-app.d.ts", default: "./dist/testing-app.js" });
  });
});

if (!built) {
  if (process.env.CI === "true") throw new Error("dist/ is missing: npm test builds it before running the tests");
  console.warn("[skip] built oauthkit/testing/app: dist/ not built (npm run build)");
}
