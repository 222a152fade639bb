/**
 * The reference MCP server (examples/mcp-server), run in-process on a real port: the full flow a
 * user's MCP client goes through, plus the sign-in and consent pages' failure paths.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthorizationRequest, createMemoryStorage, generateToken, hashToken } from "../../src/index.js";
import { type AppOptions, createApp } from "../../examples/mcp-server/app.js";
import { consentPage } from "../../examples/mcp-server/pages.js";
import { demoUserFromEnvironment, trustProxyFromEnvironment } from "../../examples/mcp-server/settings.js";
import { addressKey } from "../../examples/mcp-server/throttle.js";
import { serve } from "../../examples/node-http/serve.js";
import { type RunningExample, distBuilt, startExample } from "./child-process.js";
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
    expect(page.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'");
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

    it("lives in an HttpOnly, SameSite=Lax cookie set at sign-in; the anonymous sign-in page sets only a nonce cookie", async () => {
      const before = await signInPage();
      expect(before.setCookie).toMatch(/^oauthkit_demo_signin=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax$/);
      const consent = await post(before.cookie, { csrf: before.csrf, query: before.query, username: "alice", password: "wonderland" });
      expect(consent.status).toBe(200);
      expect(consent.headers.get("set-cookie")).toMatch(/^oauthkit_demo_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax$/);
    });

    it("refuses a sign-in form whose CSRF token belongs to another visitor's nonce cookie", async () => {
      const mine = await signInPage();
      const theirs = await signInPage();
      const response = await post(mine.cookie, { csrf: theirs.csrf, query: mine.query, username: "alice", password: "wonderland" });
      expect(response.status).toBe(403);
      expect(response.headers.get("set-cookie")).toBeNull();
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

/**
 * The app driven in-process through its fetch handler, with a clock the test moves and the
 * connection's address given per request.
 */
function inProcess(options: Partial<AppOptions> = {}) {
  const issuer = options.issuer ?? "http://localhost:1";
  let clock = 1_900_000_000;
  const storage = createMemoryStorage();
  const app = createApp({ issuer, storage, demo: { username: "alice", password: "wonderland" }, now: () => clock, ...options });
  const handle = (request: Request, address = "192.0.2.1") => app.handle(request, { remoteAddress: address });
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

  async function register(metadata: Record<string, unknown> = {}): Promise<string> {
    const response = await handle(new Request(`${issuer}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "In-process client", redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none", ...metadata }),
    }));
    expect(response.status).toBe(201);
    return (await response.json()).client_id;
  }
  const queryFor = (clientId: string, redirectUri = "http://127.0.0.1/cb") =>
    new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, code_challenge: "a".repeat(43), code_challenge_method: "S256" }).toString();
  const open = (query: string, cookie?: string, address?: string) =>
    handle(new Request(`${issuer}/authorize?${query}`, cookie === undefined ? {} : { headers: { Cookie: cookie } }), address);
  const post = (cookie: string, fields: Record<string, string>, options: { address?: string; headers?: Record<string, string> } = {}) =>
    handle(new Request(`${issuer}/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, ...options.headers },
      body: new URLSearchParams(fields),
    }), options.address);

  /** A sign-in as a browser does it: the sign-in page (its nonce cookie and CSRF token), then the form. */
  async function signIn(query: string, username: string, password: string, options: { address?: string; headers?: Record<string, string> } = {}) {
    const page = await open(query, undefined, options.address);
    expect(page.status).toBe(200);
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0]!;
    return post(cookie, { csrf: csrfOf(await page.text()), query, username, password }, options);
  }
  return { app, storage, handle, register, queryFor, open, post, signIn, csrfOf, advance: (seconds: number) => void (clock += seconds) };
}

describe("reference server: anonymous visitors store nothing", () => {
  it("12,000 cookie-less GET /authorize do not sign out a signed-in user (the store holds 10,000 sessions)", async () => {
    const demo = inProcess();
    const query = demo.queryFor(await demo.register());
    const signedIn = await demo.signIn(query, "alice", "wonderland");
    expect(signedIn.status).toBe(200);
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    expect(cookie).toMatch(/^oauthkit_demo_session=/);

    for (let batch = 0; batch < 120; batch++) {
      const pages = await Promise.all(Array.from({ length: 100 }, () => demo.open(query)));
      for (const page of pages) {
        expect(page.status).toBe(200);
        await page.body?.cancel();
      }
    }

    const consent = await demo.open(query, cookie);
    const html = await consent.text();
    expect(html).toContain('name="approve"');
    expect(html).toContain("Signed in as <strong>alice</strong>");
    const approved = await demo.post(cookie, { csrf: demo.csrfOf(html), query, approve: "1" });
    expect(approved.status).toBe(302);
    expect(new URL(approved.headers.get("location")!).searchParams.has("code")).toBe(true);
  }, 120_000);
});

describe("reference server: cookies on https", () => {
  it("are __Host- prefixed and Secure; the same id under the unprefixed name is not a session", async () => {
    const demo = inProcess({ issuer: "https://mcp.example.com" });
    const query = demo.queryFor(await demo.register());
    const page = await demo.open(query);
    expect(page.headers.get("set-cookie")).toMatch(/^__Host-oauthkit_demo_signin=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax; Secure$/);
    const signedIn = await demo.signIn(query, "alice", "wonderland");
    const setCookie = signedIn.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^__Host-oauthkit_demo_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax; Secure$/);
    const cookie = setCookie.split(";")[0]!;
    expect(await (await demo.open(query, cookie)).text()).toContain('name="approve"');
    expect(await (await demo.open(query, cookie.replace("__Host-", ""))).text()).toContain('name="password"');
  });
});

describe("reference server: sign-in throttling", () => {
  it("after 10 failures for a username answers 429 with Retry-After, even to the right password; the delay doubles per further failure", async () => {
    const demo = inProcess();
    const query = demo.queryFor(await demo.register());
    // Each failure from another address, so only the username's count can be what locks.
    for (let i = 1; i <= 10; i++) {
      const failed = await demo.signIn(query, "alice", `guess-${i}`, { address: `198.51.100.${i}` });
      expect(failed.status).toBe(200);
      expect(await failed.text()).toContain("Wrong username or password.");
    }
    const locked = await demo.signIn(query, "alice", "wonderland", { address: "203.0.113.9" });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("30");
    expect(locked.headers.get("set-cookie")).toBeNull(); // not signed in
    expect(await locked.text()).toContain("Too many failed sign-in attempts. Try again in 30 seconds.");
    // Case and spaces do not make another username.
    expect((await demo.signIn(query, " ALICE ", "wonderland", { address: "203.0.113.9" })).status).toBe(429);

    demo.advance(20);
    expect((await demo.signIn(query, "alice", "wonderland", { address: "203.0.113.9" })).headers.get("retry-after")).toBe("10");
    demo.advance(10);
    expect((await demo.signIn(query, "alice", "guess-11", { address: "203.0.113.10" })).status).toBe(200); // the 11th failure
    const doubled = await demo.signIn(query, "alice", "wonderland", { address: "203.0.113.9" });
    expect(doubled.status).toBe(429);
    expect(doubled.headers.get("retry-after")).toBe("60");
    demo.advance(60);
    expect((await demo.signIn(query, "alice", "guess-12", { address: "203.0.113.11" })).status).toBe(200);
    expect((await demo.signIn(query, "alice", "wonderland", { address: "203.0.113.9" })).headers.get("retry-after")).toBe("120");
  });

  it("caps the delay (maxDelaySeconds) and counts other usernames apart", async () => {
    const demo = inProcess({ signInThrottle: { maxFailures: 2, baseDelaySeconds: 100, maxDelaySeconds: 300 } });
    const query = demo.queryFor(await demo.register());
    for (let i = 0; i < 5; i++) {
      await demo.signIn(query, "alice", "wrong", { address: `198.51.100.${i}` });
      demo.advance(1000);
    }
    demo.advance(-1000); // back to the moment of the last failure
    expect((await demo.signIn(query, "alice", "wonderland", { address: "203.0.113.9" })).headers.get("retry-after")).toBe("300");
    expect((await demo.signIn(query, "bob", "x", { address: "203.0.113.9" })).status).toBe(200);
  });

  it("a successful sign-in resets the username's count", async () => {
    const demo = inProcess();
    const query = demo.queryFor(await demo.register());
    for (let i = 1; i <= 9; i++) await demo.signIn(query, "alice", "wrong", { address: `198.51.100.${i}` });
    expect((await demo.signIn(query, "alice", "wonderland", { address: "203.0.113.1" })).headers.get("set-cookie")).toMatch(/^oauthkit_demo_session=/);
    for (let i = 1; i <= 9; i++) await demo.signIn(query, "alice", "wrong", { address: `198.51.100.${20 + i}` });
    // 18 failures in all, but only 9 since the success: not locked.
    const signedIn = await demo.signIn(query, "alice", "wonderland", { address: "203.0.113.2" });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain('name="approve"');
  });

  it("after 10 failures from one client address answers 429 for any username from it, not from another address", async () => {
    const demo = inProcess();
    const query = demo.queryFor(await demo.register());
    for (let i = 1; i <= 10; i++) expect((await demo.signIn(query, `user-${i}`, "x", { address: "198.51.100.7" })).status).toBe(200);
    const locked = await demo.signIn(query, "alice", "wonderland", { address: "198.51.100.7" });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("30");
    const elsewhere = await demo.signIn(query, "alice", "wonderland", { address: "198.51.100.8" });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get("set-cookie")).toMatch(/^oauthkit_demo_session=/);
    // A success elsewhere does not unlock the address.
    expect((await demo.signIn(query, "alice", "wonderland", { address: "198.51.100.7" })).status).toBe(429);
  });

  it("ignores X-Forwarded-For unless trustProxy says how many proxies append to it", async () => {
    const ignoring = inProcess();
    let query = ignoring.queryFor(await ignoring.register());
    for (let i = 1; i <= 10; i++) {
      await ignoring.signIn(query, `user-${i}`, "x", { address: "10.0.0.1", headers: { "X-Forwarded-For": `198.51.100.${i}` } });
    }
    expect((await ignoring.signIn(query, "alice", "wonderland", { address: "10.0.0.1", headers: { "X-Forwarded-For": "203.0.113.5" } })).status).toBe(429);

    const trusting = inProcess({ trustProxy: 1 });
    query = trusting.queryFor(await trusting.register());
    for (let i = 1; i <= 10; i++) {
      // The client's own entry (left) is whatever it wrote; the proxy's (right) is the address.
      await trusting.signIn(query, `user-${i}`, "x", { address: "10.0.0.1", headers: { "X-Forwarded-For": `192.0.2.${i}, 198.51.100.7` } });
    }
    expect((await trusting.signIn(query, "alice", "wonderland", { address: "10.0.0.1", headers: { "X-Forwarded-For": "198.51.100.7" } })).status).toBe(429);
    expect((await trusting.signIn(query, "alice", "wonderland", { address: "10.0.0.1", headers: { "X-Forwarded-For": "198.51.100.8" } })).status).toBe(200);
  });

  it("counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4", async () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("address:2001:db8:1:2::/64");
    expect(addressKey("2001:DB8:1:2:ffff:ffff:ffff:ffff")).toBe("address:2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("address:2001:db8:0:0::/64");
    expect(addressKey("fe80::1%eth0")).toBe("address:fe80:0:0:0::/64");
    expect(addressKey("::1")).toBe("address:0:0:0:0::/64");
    expect(addressKey("::ffff:198.51.100.7")).toBe("address:198.51.100.7");
    expect(addressKey("198.51.100.7")).toBe("address:198.51.100.7");

    const demo = inProcess();
    const query = demo.queryFor(await demo.register());
    for (let i = 1; i <= 10; i++) await demo.signIn(query, `user-${i}`, "x", { address: `2001:db8:5:6::${i.toString(16)}` });
    expect((await demo.signIn(query, "alice", "wonderland", { address: "2001:db8:5:6:ffff::1" })).status).toBe(429);
    expect((await demo.signIn(query, "alice", "wonderland", { address: "2001:db8:5:7::1" })).status).toBe(200);
  });

  it("throttles over real HTTP by the socket's address, whatever X-Forwarded-For says", async () => {
    const http = await serve((origin) => createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "alice", password: "wonderland" } }).handle, {
      port: 0,
      hostname: "127.0.0.1",
    });
    try {
      const client = await (await fetch(`${http.origin}/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none" }),
      })).json();
      const query = `response_type=code&client_id=${client.client_id}&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`;
      const attempt = async (username: string, password: string, forwardedFor: string) => {
        const page = await fetch(`${http.origin}/authorize?${query}`);
        const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
        return fetch(`${http.origin}/authorize`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: page.headers.get("set-cookie")!.split(";")[0]!, "X-Forwarded-For": forwardedFor },
          body: new URLSearchParams({ csrf, query, username, password }),
        });
      };
      for (let i = 1; i <= 10; i++) expect((await attempt(`user-${i}`, "x", `198.51.100.${i}`)).status).toBe(200);
      const locked = await attempt("alice", "wonderland", "203.0.113.1");
      expect(locked.status).toBe(429);
      expect(locked.headers.get("retry-after")).toBe("30");
    } finally {
      await http.close();
    }
  });
});

describe("reference server: the consent page tells the user who asks and where the code goes", () => {
  async function consentFor(demo: ReturnType<typeof inProcess>, clientId: string, redirectUri: string) {
    const response = await demo.signIn(demo.queryFor(clientId, redirectUri), "alice", "wonderland");
    expect(response.status).toBe(200);
    return response.text();
  }

  it("marks a self-registered (DCR) client's name as unverified, escaped, and shows the redirect host, the scopes in words and the resource", async () => {
    const demo = inProcess();
    const name = `Claude Desktop <script>alert("x")</script>`;
    const clientId = await demo.register({ client_name: name, redirect_uris: ["https://evil.example:8443/callback"] });
    const html = await consentFor(demo, clientId, "https://evil.example:8443/callback");
    expect(html).toContain('<span class="name" id="client-name">Claude Desktop &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</span> <span class="badge unverified" id="client-status">Unverified</span>');
    expect(html).not.toContain("<script>");
    expect(html).toContain("This app registered itself");
    expect(html).toContain('<dd id="redirect-host">evil.example:8443</dd>');
    expect(html).toContain('<li class="scope" data-scope="mcp">');
    expect(html).toContain("Use the MCP tools of this server on your behalf");
    expect(html).toContain('<dd id="resource">http://localhost:1/mcp</dd>');
    expect(html.match(/class="primary"/g)).toHaveLength(1);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).not.toMatch(/<link|<script|@import|url\(/); // nothing loaded from elsewhere
  });

  it("shows a client the operator registered and listed in verifiedClients as verified", async () => {
    const storage = createMemoryStorage();
    await storage.createClient({
      client_id: "acme-desktop",
      client_name: "Acme Desktop",
      token_endpoint_auth_method: "none",
      redirect_uris: ["http://127.0.0.1/cb"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    });
    const demo = inProcess({ storage, verifiedClients: ["acme-desktop"] });
    const html = await consentFor(demo, "acme-desktop", "http://127.0.0.1/cb");
    expect(html).toContain('<span class="badge verified" id="client-status">Verified</span>');
    expect(html).not.toContain("This app registered itself");
    expect(html).toContain('<dd id="redirect-host">127.0.0.1 <small>(an app on this computer)</small></dd>');
    // The same store without the listing: unverified.
    const unlisted = await consentFor(inProcess({ storage }), "acme-desktop", "http://127.0.0.1/cb");
    expect(unlisted).toContain('id="client-status">Unverified</span>');
  });

  it("shows a metadata-document client's host, an app scheme's redirect, and unknown scopes raw", async () => {
    const request: AuthorizationRequest = {
      client: { client_id: "https://app.example.com/client.json", client_name: "Example App", host: "app.example.com" },
      publicClient: true,
      redirectUri: "com.example.app:/oauth/callback",
      redirectUriSent: true,
      scope: ["mcp", "offline_access", "weird:<scope>"],
      resource: ["https://mcp.example.com/mcp"],
    };
    const html = await consentPage({ site: "mcp.example.com", csrf: "c", query: "q", request, client: { verified: false }, user: "alice" }).text();
    expect(html).toContain('<dd id="client-host">app.example.com</dd>');
    expect(html).toContain('id="client-status">Unverified</span>');
    expect(html).toContain('<dd id="redirect-host">com.example.app: <small>(an app on your device)</small></dd>');
    expect(html).toContain("Stay connected when you are away (refresh tokens)");
    expect(html).toContain('<li class="scope" data-scope="weird:&lt;scope&gt;"><span class="check" aria-hidden="true">✓</span><span><code>weird:&lt;scope&gt;</code></span></li>');

    // A name long enough to push the facts off the screen is cut.
    const long = await consentPage({ site: "s", csrf: "c", query: "q", request: { ...request, client: { ...request.client, client_name: "A".repeat(500) } }, client: { verified: false }, user: "alice" }).text();
    expect(long).toContain(`id="client-name">${"A".repeat(59)}…</span>`);
    expect(long).not.toContain("A".repeat(60));
  });

  it("lets the user cancel on the sign-in page: access_denied to the client, no sign-in (RFC 6749 §4.1.2.1)", async () => {
    const demo = inProcess();
    const query = demo.queryFor(await demo.register());
    const page = await demo.open(query);
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0]!;
    // As a browser posts it: the form's empty username and password fields come along.
    const cancelled = await demo.post(cookie, { csrf: demo.csrfOf(await page.text()), query, username: "", password: "", deny: "1" });
    expect(cancelled.status).toBe(302);
    expect(new URL(cancelled.headers.get("location")!).searchParams.get("error")).toBe("access_denied");
    expect(cancelled.headers.get("set-cookie")).toBeNull();
    // Approving needs a signed-in session: with only the sign-in form's token, the sign-in page again.
    const approve = await demo.post(cookie, { csrf: demo.csrfOf(await (await demo.open(query, cookie)).text()), query, approve: "1" });
    expect(approve.status).toBe(200);
    expect(await approve.text()).toContain('name="password"');
  });
});

describe("reference server: demo credentials and proxies from the environment", () => {
  it("keeps demo / demo only without DEMO_PASSWORD, and says so", () => {
    expect(demoUserFromEnvironment({})).toEqual({
      demo: { username: "demo", password: "demo" },
      signInHint: "sign in as demo / demo (default credentials; set DEMO_PASSWORD to change)",
    });
    expect(demoUserFromEnvironment({ DEMO_PASSWORD: "correct horse" })).toEqual({
      demo: { username: "demo", password: "correct horse" },
      signInHint: "sign in as demo with the password from DEMO_PASSWORD",
    });
    expect(demoUserFromEnvironment({ DEMO_USER: "ops", DEMO_PASSWORD: "s3cret" }).demo).toEqual({ username: "ops", password: "s3cret" });
    expect(() => demoUserFromEnvironment({ DEMO_PASSWORD: "" })).toThrow(new TypeError("DEMO_PASSWORD is set but empty: unset it or give it a value"));
  });

  it("reads TRUST_PROXY as a number of proxies, refusing anything else", () => {
    expect(trustProxyFromEnvironment({})).toBe(0);
    expect(trustProxyFromEnvironment({ TRUST_PROXY: "false" })).toBe(0);
    expect(trustProxyFromEnvironment({ TRUST_PROXY: "true" })).toBe(1);
    expect(trustProxyFromEnvironment({ TRUST_PROXY: "2" })).toBe(2);
    expect(() => trustProxyFromEnvironment({ TRUST_PROXY: "yes" })).toThrow(/^TRUST_PROXY must be/);
    expect(() => createApp({ issuer: "http://localhost:1", storage: createMemoryStorage(), demo: { username: "a", password: "b" }, trustProxy: -1 })).toThrow(TypeError);
  });

  /** The "MCP endpoint: …" line (the metadata may answer before the child's stdout has arrived). */
  async function startupLine(running: RunningExample): Promise<string> {
    for (let i = 0; i < 100 && !running.output().includes("MCP endpoint:"); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    return /^MCP endpoint: .*$/m.exec(running.output())?.[0] ?? running.output();
  }

  describe.skipIf(!distBuilt("reference server start-up line"))("the start-up line of server.ts", () => {
    it("says demo / demo are the default credentials when DEMO_PASSWORD is not set, and they work", async () => {
      const running = await startExample("examples/mcp-server/server.ts", { DEMO_PASSWORD: "", DEMO_USER: "" }).catch((error: Error) => error);
      // Set but empty is a start-up error naming the variable.
      expect(running).toBeInstanceOf(Error);
      expect((running as Error).message).toMatch(/DEMO_USER is set but empty/);

      // spawn drops undefined variables: as if DEMO_USER and DEMO_PASSWORD were not set.
      const defaults = await startExample("examples/mcp-server/server.ts", { DEMO_PASSWORD: undefined, DEMO_USER: undefined } as unknown as Record<string, string>);
      try {
        expect(await startupLine(defaults)).toContain("— sign in as demo / demo (default credentials; set DEMO_PASSWORD to change)");
        expect((await runExampleFlow(defaults.origin, { username: "demo", password: "demo" })).subject).toBe("demo");
      } finally {
        defaults.stop();
      }
    }, 60_000);

    it("says the password comes from DEMO_PASSWORD when it is set, never prints it, and demo / demo no longer works", async () => {
      const running = await startExample("examples/mcp-server/server.ts", { DEMO_PASSWORD: "correct horse battery" });
      try {
        expect(await startupLine(running)).toContain("— sign in as demo with the password from DEMO_PASSWORD");
        expect(running.output()).not.toContain("correct horse battery");
        await expect(runExampleFlow(running.origin, { username: "demo", password: "demo" })).rejects.toThrow(/consent page after sign-in/);
        expect((await runExampleFlow(running.origin, { username: "demo", password: "correct horse battery" })).subject).toBe("demo");
      } finally {
        running.stop();
      }
    }, 60_000);
  });
});

describe("reference server: /mcp acts only for users, with the mcp scope", () => {
  async function appWith(storage = createMemoryStorage()) {
    const app = createApp({ issuer: "http://localhost:3000", storage, demo: { username: "demo", password: "demo" } });
    return { app, storage };
  }
  const mcpCall = (token: string) =>
    new Request("http://localhost:3000/mcp", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });

  it("refuses a client_credentials token with 401 invalid_token, though the client was registered for it (RFC 6750 §3.1)", async () => {
    const { app, storage } = await appWith();
    const secret = generateToken();
    // Only a client the operator puts in the store can have this grant; open DCR refuses it.
    await storage.createClient({
      client_id: "service",
      client_secret_hash: hashToken(secret),
      token_endpoint_auth_method: "client_secret_post",
      redirect_uris: [],
      grant_types: ["client_credentials"],
      response_types: [],
    });
    const issued = await app.handle(
      new Request("http://localhost:3000/token", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: "service", client_secret: secret, scope: "mcp" }),
      }),
    );
    expect(issued.status).toBe(200);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const answer = await app.handle(mcpCall(token));
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(answer.headers.get("www-authenticate")).toContain('resource_metadata="http://localhost:3000/.well-known/oauth-protected-resource/mcp"');
    expect(((await answer.json()) as { error_description: string }).error_description).toBe("This resource requires a token issued for a user.");
  });

  it("refuses a user's token without the mcp scope with 403 insufficient_scope naming it (RFC 6750 §3.1)", async () => {
    const { app, storage } = await appWith();
    const token = generateToken();
    const now = Math.floor(Date.now() / 1000);
    const grant = { grantId: "g-1", clientId: "c-1", subject: "demo", scope: [], resource: ["http://localhost:3000/mcp"], issuedAt: now, expiresAt: now + 3600 };
    await storage.createGrant(grant, {
      tokenHash: hashToken(token),
      grantId: "g-1",
      clientId: "c-1",
      subject: "demo",
      subjectType: "user",
      scope: [],
      audience: ["http://localhost:3000/mcp"],
      issuedAt: now,
      expiresAt: now + 3600,
    });
    const answer = await app.handle(mcpCall(token));
    expect(answer.status).toBe(403);
    expect(answer.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(answer.headers.get("www-authenticate")).toContain('scope="mcp"');
  });

  it("accepts Cursor's DCR registration with its cursor:// redirect URI as a public client", async () => {
    const { app } = await appWith();
    const response = await app.handle(
      new Request("http://localhost:3000/register", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_name: "Cursor", redirect_uris: ["cursor://anysphere.cursor-mcp/oauth/callback"], token_endpoint_auth_method: "none" }),
      }),
    );
    expect(response.status).toBe(201);
  });
});
