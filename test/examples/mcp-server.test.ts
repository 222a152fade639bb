/**
 * The reference MCP server (examples/mcp-server), run in-process on a real port: the full flow a
 * user's MCP client goes through, plus the sign-in and consent pages' failure paths.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStorage } from "../../src/index.js";
import { createApp } from "../../examples/mcp-server/app.js";
import { serve } from "../../examples/node-http/serve.js";
// @ts-expect-error: plain JavaScript module shared with the CI smoke script
import { callWhoami, runExampleFlow } from "../../scripts/example-flow.mjs";

let running: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  running = await serve(
    (origin) => createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "alice", password: "wonderland" } }).handle,
    { port: 0, hostname: "127.0.0.1" },
  );
});
afterAll(() => running.close());

describe("reference MCP server", () => {
  it("runs the whole flow: 401 → metadata → DCR → sign-in → consent → code → whoami → refresh → revoke", async () => {
    const result = await runExampleFlow(running.origin, { username: "alice", password: "wonderland" });
    expect(result.subject).toBe("alice");
  });

  it("redirects a denial with access_denied (RFC 6749 §4.1.2.1)", async () => {
    expect(await runExampleFlow(running.origin, { username: "alice", password: "wonderland", decision: "deny" })).toEqual({ error: "access_denied" });
  });

  it("refuses a wrong password with the sign-in page again", async () => {
    await expect(runExampleFlow(running.origin, { username: "alice", password: "nope" })).rejects.toThrow(/consent page after sign-in/);
  });

  it("refuses a form post without the session's CSRF token", async () => {
    const response = await fetch(`${running.origin}/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: "alice", password: "wonderland", csrf: "forged", query: "" }),
    });
    expect(response.status).toBe(403);
  });

  it("does not let the consent page be framed", async () => {
    const metadata = await (await fetch(`${running.origin}/.well-known/oauth-authorization-server`)).json();
    const registration = await (await fetch(metadata.registration_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none" }),
    })).json();
    const url = `${running.origin}/authorize?response_type=code&client_id=${registration.client_id}&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    expect(await page.text()).toContain('name="username"');
  });

  it("bounds open registration: beyond maxClients DCR answers 503 temporarily_unavailable (RFC 7591 §3.2.2)", async () => {
    const storage = createMemoryStorage();
    const app = createApp({ issuer: "http://localhost:1", storage, demo: { username: "a", password: "b" }, maxClients: 2 });
    const register = () =>
      app.handle(new Request("http://localhost:1/register", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none" }),
      }));
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(201);
    const refused = await register();
    expect(refused.status).toBe(503);
    expect((await refused.json()).error).toBe("temporarily_unavailable");
    expect(await storage.countClients()).toBe(2);
  });

  it("answers /mcp with a bad token with 401 invalid_token", async () => {
    await expect(callWhoami(running.origin, "not-a-token")).rejects.toThrow(/401/);
  });

  it("keeps a request target like //other.host/mcp a path on its own origin", async () => {
    const { hostname, port } = new URL(running.origin);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpRequest({ hostname, port, path: "//other.example/mcp", method: "POST" }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on("error", reject).end();
    });
    expect(status).toBe(404);
  });

  describe("the sign-in session", () => {
    async function signInPage() {
      const metadata = await (await fetch(`${running.origin}/.well-known/oauth-authorization-server`)).json();
      const client = await (await fetch(metadata.registration_endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_name: "Session test", redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none" }),
      })).json();
      const query = `response_type=code&client_id=${client.client_id}&redirect_uri=${encodeURIComponent("http://127.0.0.1/cb")}&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`;
      const page = await fetch(`${running.origin}/authorize?${query}`);
      const setCookie = page.headers.get("set-cookie") ?? "";
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
      return { query, setCookie, cookie: setCookie.split(";")[0]!, csrf };
    }
    const post = (cookie: string, fields: Record<string, string>) =>
      fetch(`${running.origin}/authorize`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
        body: new URLSearchParams(fields),
      });

    it("lives in an HttpOnly, SameSite=Lax cookie", async () => {
      const { setCookie } = await signInPage();
      expect(setCookie).toMatch(/^oauthkit_demo_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax$/);
    });

    it("is replaced at sign-in, so a session id planted before it is worthless after (session fixation)", async () => {
      const before = await signInPage();
      const consent = await post(before.cookie, { csrf: before.csrf, query: before.query, username: "alice", password: "wonderland" });
      expect(consent.status).toBe(200);
      const after = (consent.headers.get("set-cookie") ?? "").split(";")[0]!;
      expect(after).toMatch(/^oauthkit_demo_session=/);
      expect(after).not.toBe(before.cookie);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await consent.text())?.[1] ?? "";
      expect(csrf).not.toBe(before.csrf);

      expect((await post(before.cookie, { csrf, query: before.query, approve: "1" })).status).toBe(403);
      const approved = await post(after, { csrf, query: before.query, approve: "1" });
      expect(approved.status).toBe(302);
      expect(new URL(approved.headers.get("location")!).searchParams.has("code")).toBe(true);
    });

    it("refuses a form over 64 KiB with 413, before reading it whole", async () => {
      const { cookie, csrf, query } = await signInPage();
      expect((await post(cookie, { csrf, query, username: "x".repeat(70_000), password: "p" })).status).toBe(413);
    });
  });
});
