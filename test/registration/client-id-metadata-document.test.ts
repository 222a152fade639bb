/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), with an injected
 * fetch standing in for the client's web server.
 */
import { describe, expect, it } from "vitest";
import { type AuthorizationRequest, type ClientIdMetadataDocumentConfig, isClientIdMetadataDocumentUrl } from "../../src/index.js";
import { ISSUER, RFC7636_CHALLENGE, RFC7636_VERIFIER, authorizeUrl, createTestServer, formRequest } from "../support/fixtures.js";
import { HOST_FORMS } from "../support/special-use-hosts.js";

const CLIENT_ID = "https://app.example.com/oauth/client.json";
const REDIRECT = "http://127.0.0.1/callback";
const DOCUMENT = {
  client_id: CLIENT_ID,
  client_name: "Example App",
  redirect_uris: [REDIRECT],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none",
};

function documentServer(respond: (request: Request) => Response | Promise<Response> = () => Response.json(DOCUMENT)) {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request);
    return respond(request);
  };
  return { fetch, requests };
}

function setup(options: ClientIdMetadataDocumentConfig = {}, respond?: Parameters<typeof documentServer>[0]) {
  const server = documentServer(respond);
  const t = createTestServer({ clientIdMetadataDocuments: { fetch: server.fetch, ...options } });
  const parse = (clientId = CLIENT_ID) =>
    t.server.parseAuthorizationRequest(
      new Request(authorizeUrl({ response_type: "code", client_id: clientId, redirect_uri: REDIRECT, state: "s", code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
    );
  return { ...t, ...server, parse };
}

async function refused(result: AuthorizationRequest | Response) {
  expect(result).toBeInstanceOf(Response);
  const response = result as Response;
  // Never redirected: the redirect URI comes from the document that failed (RFC 6749 §4.1.2.1).
  expect(response.headers.get("location")).toBeNull();
  expect(response.status).toBe(400);
  const body = await response.json();
  expect(body.error).toBe("invalid_client");
  return body.error_description as string;
}

describe("client ID metadata documents (draft-ietf-oauth-client-id-metadata-document)", () => {
  it("recognises metadata document URLs (https, a path, no fragment, credentials or dot segments)", () => {
    expect(isClientIdMetadataDocumentUrl(CLIENT_ID)).toBe(true);
    expect(isClientIdMetadataDocumentUrl("https://app.example.com/")).toBe(false);
    expect(isClientIdMetadataDocumentUrl("http://app.example.com/client.json")).toBe(false);
    expect(isClientIdMetadataDocumentUrl("https://user:pw@app.example.com/client.json")).toBe(false);
    expect(isClientIdMetadataDocumentUrl("https://app.example.com/client.json#x")).toBe(false);
    expect(isClientIdMetadataDocumentUrl("https://app.example.com/a/../client.json")).toBe(false);
    // Dot segments in every spelling the URL parser removes, and ids not in its normal form: the
    // document must be fetched from exactly the string the client sent (the draft, §3).
    expect(isClientIdMetadataDocumentUrl("https://app.example.com\\a\\..\\client.json")).toBe(false);
    expect(isClientIdMetadataDocumentUrl("https://app.example.com/a/%2e%2e/client.json")).toBe(false);
    expect(isClientIdMetadataDocumentUrl("https://app.example.com/a/%2E/client.json")).toBe(false);
    expect(isClientIdMetadataDocumentUrl("https://bücher.example/a/../client.json")).toBe(false);
    expect(isClientIdMetadataDocumentUrl("https://app.example.com/a b.json")).toBe(false);
    expect(isClientIdMetadataDocumentUrl("https://app.example.com/a/..client.json")).toBe(true);
    expect(isClientIdMetadataDocumentUrl("plain-client-id")).toBe(false);
  });

  it("resolves the client from its document, and gives the consent page its name and host", async () => {
    const t = setup();
    const request = await t.parse();
    expect(request).toMatchObject({ client: { client_id: CLIENT_ID, client_name: "Example App", host: "app.example.com" }, publicClient: true });
    expect(t.requests).toHaveLength(1);
    expect(t.requests[0]!.headers.get("accept")).toBe("application/json");
    expect(t.requests[0]!.redirect).toBe("manual");
  });

  it("accepts a more specific application/<something>+json content type", async () => {
    const t = setup({}, () => new Response(JSON.stringify(DOCUMENT), { headers: { "Content-Type": "application/oauth-client+json; charset=utf-8" } }));
    expect(await t.parse()).not.toBeInstanceOf(Response);
  });

  it("lets the client complete the code flow as a public client", async () => {
    const t = setup();
    const request = (await t.parse()) as AuthorizationRequest;
    const redirect = await t.server.issueAuthorizationCode(request, { subject: "alice" });
    const code = new URL(redirect.headers.get("location")!).searchParams.get("code")!;
    const response = await t.server.handleTokenRequest(
      formRequest(`${ISSUER}/token`, { grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: RFC7636_VERIFIER, client_id: CLIENT_ID }),
    );
    expect(response.status).toBe(200);
  });

  it("advertises client_id_metadata_document_supported only when enabled", () => {
    expect(setup().server.metadata.client_id_metadata_document_supported).toBe(true);
    expect(createTestServer().server.metadata.client_id_metadata_document_supported).toBeUndefined();
  });

  it("treats URL client ids as ordinary ids when disabled", async () => {
    const t = createTestServer();
    const result = await t.server.parseAuthorizationRequest(new Request(authorizeUrl({ response_type: "code", client_id: CLIENT_ID })));
    expect(await refused(result)).toBe("The client is unknown.");
  });

  it.each(HOST_FORMS.filter((form) => !form.blocked).map((form) => [form.host, form.why] as const))(
    "fetches a public host, asking allowFetch first (SSRF guard lets it through): https://%s/ — %s",
    async (host) => {
      const clientId = `https://${host}/client.json`;
      const asked: string[] = [];
      const t = setup({ allowFetch: (url) => (asked.push(url.href), true) }, () => Response.json({ ...DOCUMENT, client_id: clientId }));
      expect(await t.parse(clientId)).toMatchObject({ client: { client_id: clientId } });
      expect(t.requests.map((request) => request.url)).toEqual([new URL(clientId).href]);
      expect(asked).toEqual([new URL(clientId).href]);
    },
  );

  describe("refusals (never redirected, cached briefly)", () => {
    it("a document whose client_id is not its URL", async () => {
      const t = setup({}, () => Response.json({ ...DOCUMENT, client_id: "https://evil.example.com/client.json" }));
      expect(await refused(await t.parse())).toMatch(/client_id is not the URL/);
    });
    it("a redirect, which is not followed", async () => {
      const t = setup({}, () => new Response(null, { status: 302, headers: { Location: "https://elsewhere.example/doc.json" } }));
      expect(await refused(await t.parse())).toMatch(/answered 302/);
      expect(t.requests).toHaveLength(1);
    });
    it("an oversized document", async () => {
      const t = setup({ maxBytes: 512 }, () => Response.json({ ...DOCUMENT, client_name: "x".repeat(1000) }));
      expect(await refused(await t.parse())).toMatch(/larger than 512 bytes/);
    });
    it("a document that is not JSON", async () => {
      const t = setup({}, () => new Response("<html></html>", { headers: { "Content-Type": "text/html" } }));
      expect(await refused(await t.parse())).toMatch(/not application\/json/);
      const broken = setup({}, () => new Response("{oops", { headers: { "Content-Type": "application/json" } }));
      expect(await refused(await broken.parse())).toMatch(/not valid JSON/);
    });
    it("a fetch that takes too long", async () => {
      const t = setup({ timeoutMs: 50 }, (request) => new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason))));
      expect(await refused(await t.parse())).toMatch(/timed out/);
    });
    it("a host the allowFetch hook vetoes, without fetching it (SSRF guard)", async () => {
      const vetoed: string[] = [];
      const t = setup({ allowFetch: (url) => (vetoed.push(url.host), false) });
      expect(await refused(await t.parse())).toMatch(/not allowed/);
      expect(vetoed).toEqual(["app.example.com"]);
      expect(t.requests).toHaveLength(0);
    });
    it("private_key_jwt, saying which method is supported instead (MCP 2026-07-28 client registration)", async () => {
      const jwt = setup({}, () => Response.json({ ...DOCUMENT, token_endpoint_auth_method: "private_key_jwt" }));
      expect(await refused(await jwt.parse())).toBe(
        'The client metadata document was refused: it declares token_endpoint_auth_method "private_key_jwt", which oauthkit does not support yet: a metadata document client must use "none" (a public client with PKCE).',
      );
    });
    it("client secret methods, naming the method declared and the one supported", async () => {
      const secret = setup({}, () => Response.json({ ...DOCUMENT, token_endpoint_auth_method: "client_secret_basic" }));
      expect(await refused(await secret.parse())).toBe(
        'The client metadata document was refused: it declares token_endpoint_auth_method "client_secret_basic": a metadata document client must use "none" (a public client with PKCE).',
      );
    });
    it("a document carrying a client secret (no shared secret is possible)", async () => {
      const t = setup({}, () => Response.json({ ...DOCUMENT, client_secret: "s3cret" }));
      expect(await refused(await t.parse())).toMatch(/must not contain client_secret/);
    });
    it("missing or dangerous redirect URIs", async () => {
      const none = setup({}, () => Response.json({ ...DOCUMENT, redirect_uris: [] }));
      expect(await refused(await none.parse())).toMatch(/no redirect_uris/);
      const bad = setup({}, () => Response.json({ ...DOCUMENT, redirect_uris: ["javascript:alert(1)"] }));
      expect(await refused(await bad.parse())).toMatch(/metadata is invalid/);
    });
    it.each([
      ["a private-use scheme without a dot (RFC 8252 §7.1)", "cursor://anysphere.cursor-retrieval/oauth/callback"],
      ["ws:", "ws://app.example.com/cb"],
      ["the out-of-band URN", "urn:ietf:wg:oauth:2.0:oob"],
      ["localhost:8080", "localhost:8080"],
      ["http to 127.1", "http://127.1/callback"],
      ["an upper-case HTTP scheme", "HTTP://127.0.0.1/callback"],
      ["a dot segment", "http://127.0.0.1/x/../callback"],
      ["non-loopback http", "http://app.example.com/callback"],
    ])("a redirect URI registration would refuse: %s", async (_name, uri) => {
      const t = setup({}, () => Response.json({ ...DOCUMENT, redirect_uris: [uri] }));
      expect(await refused(await t.parse())).toMatch(/metadata is invalid \(The redirect URI /);
    });
    it("accepts a reverse-domain private-use redirect URI: the client is public (RFC 8252 §7.1)", async () => {
      const t = setup({}, () => Response.json({ ...DOCUMENT, redirect_uris: [REDIRECT, "com.example.app:/callback"] }));
      expect(await t.parse()).toMatchObject({ redirectUri: REDIRECT });
    });
    it.each([
      ["21 redirect_uris", { redirect_uris: Array.from({ length: 21 }, (_, i) => `http://127.0.0.1/cb${i}`) }],
      ["a 201-character client_name", { client_name: "n".repeat(201) }],
      ["a 1001-character scope", { scope: "a".repeat(1001) }],
      ["11 contacts", { contacts: Array.from({ length: 11 }, (_, i) => `a${i}@example.com`) }],
    ])("metadata over a registration bound: %s", async (_name, extra) => {
      const t = setup({}, () => Response.json({ ...DOCUMENT, ...extra }));
      expect(await refused(await t.parse())).toMatch(/metadata is invalid \(Invalid client metadata at /);
    });
    it("client_credentials, even when registration.allowedGrantTypes opens it to registered clients", async () => {
      const server = documentServer(() => Response.json({ ...DOCUMENT, grant_types: ["authorization_code", "client_credentials"] }));
      const t = createTestServer({
        endpoints: { registration: "/register" },
        registration: { allowedGrantTypes: ["authorization_code", "refresh_token", "client_credentials"] },
        clientIdMetadataDocuments: { fetch: server.fetch },
      });
      const result = await t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: CLIENT_ID, redirect_uri: REDIRECT, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256" })),
      );
      expect(await refused(result)).toMatch(/client_credentials grant is not available/);
      const token = await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "client_credentials", client_id: CLIENT_ID }));
      expect(token.status).toBe(400);
      expect((await token.json()).error).toBe("invalid_client");
    });
    it("an http (not https) client_id, without fetching it (§3)", async () => {
      const t = setup();
      expect(await refused(await t.parse("http://app.example.com/oauth/client.json"))).toMatch(/must be an https URL/);
      expect(t.requests).toHaveLength(0);
    });
    it("a client_id with credentials, without fetching it (§3)", async () => {
      const t = setup();
      expect(await refused(await t.parse("https://user:pw@app.example.com/oauth/client.json"))).toMatch(/must not contain credentials/);
      expect(await refused(await t.parse("https://@app.example.com/oauth/client.json"))).toMatch(/must not contain credentials/);
      expect(t.requests).toHaveLength(0);
    });
    it.each(HOST_FORMS.filter((form) => form.blocked).map((form) => [form.host, form.why] as const))(
      "a special-use host, without fetching it or asking allowFetch (SSRF): https://%s/ — %s",
      async (host) => {
        const clientId = `https://${host}/client.json`;
        const asked: string[] = [];
        const t = setup({ allowFetch: (url) => (asked.push(url.href), true) }, () => Response.json({ ...DOCUMENT, client_id: clientId }));
        expect(await refused(await t.parse(clientId))).toBe("The client metadata document was refused: its host is a loopback, private or special-use address.");
        expect(t.requests).toHaveLength(0);
        expect(asked).toHaveLength(0);
      },
    );
    it("an IPv6 host with a zone id, without fetching it (the URL parser rejects it)", async () => {
      const t = setup();
      expect(await refused(await t.parse("https://[fe80::1%25eth0]/client.json"))).toMatch(/not a valid URL/);
      expect(t.requests).toHaveLength(0);
    });
    it("a client_id with dot segments in another spelling, or a path not in normal form, without fetching it (§3)", async () => {
      const t = setup();
      expect(await refused(await t.parse("https://app.example.com/x/%2e%2e/oauth/client.json"))).toMatch(/must not contain dot segments/);
      expect(await refused(await t.parse("https://app.example.com\\x\\..\\oauth\\client.json"))).toMatch(/must not contain dot segments/);
      expect(await refused(await t.parse("https://app.example.com/oauth/client one.json"))).toMatch(/normal form/);
      expect(t.requests).toHaveLength(0);
    });
    it("a client_id with a fragment or without a path (§3)", async () => {
      const t = setup();
      expect(await refused(await t.parse("https://app.example.com/oauth/client.json#x"))).toMatch(/must not contain a fragment/);
      expect(await refused(await t.parse("https://app.example.com/"))).toMatch(/must have a path/);
      expect(t.requests).toHaveLength(0);
    });
    it("an oversized document that does not declare its length, read incrementally", async () => {
      let pulled = 0;
      const t = setup({ maxBytes: 1024 }, () => {
        const chunk = new TextEncoder().encode(" ".repeat(256));
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled++;
            controller.enqueue(chunk); // endless: only the cap stops it
          },
        });
        return new Response(body, { headers: { "Content-Type": "application/json" } });
      });
      expect(await refused(await t.parse())).toMatch(/larger than 1024 bytes/);
      expect(pulled).toBeLessThan(10);
    });
    it("a fetch that ignores the abort signal still times out", async () => {
      const t = setup({ timeoutMs: 50 }, () => new Promise<Response>(() => undefined));
      expect(await refused(await t.parse())).toMatch(/timed out/);
    });
    it("a body that trickles past the deadline times out", async () => {
      const t = setup({ timeoutMs: 50 }, () => {
        const body = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new TextEncoder().encode("{")) });
        return new Response(body, { headers: { "Content-Type": "application/json" } });
      });
      expect(await refused(await t.parse())).toMatch(/timed out/);
    });
    it("a failing document at the token endpoint is invalid_client (RFC 6749 §5.2)", async () => {
      const t = setup({}, () => new Response("gone", { status: 404 }));
      const response = await t.server.handleTokenRequest(
        formRequest(`${ISSUER}/token`, { grant_type: "authorization_code", code: "x", redirect_uri: REDIRECT, code_verifier: RFC7636_VERIFIER, client_id: CLIENT_ID }),
      );
      expect(response.status).toBe(400);
      expect((await response.json()).error).toBe("invalid_client");
    });
    it("a failed fetch is cached briefly, then retried", async () => {
      let fail = true;
      const t = setup({ cache: { failure: 10 } }, () => (fail ? new Response("down", { status: 503 }) : Response.json(DOCUMENT)));
      await refused(await t.parse());
      fail = false;
      await refused(await t.parse());
      expect(t.requests).toHaveLength(1);
      t.clock.advance(10);
      expect(await t.parse()).not.toBeInstanceOf(Response);
      expect(t.requests).toHaveLength(2);
    });
  });

  describe("caching honours Cache-Control within bounds", () => {
    it("a second request does not fetch again", async () => {
      const t = setup();
      expect(await t.parse()).not.toBeInstanceOf(Response);
      expect(await t.parse()).not.toBeInstanceOf(Response);
      expect(t.requests).toHaveLength(1);
    });
    it("concurrent requests share one fetch", async () => {
      const t = setup();
      await Promise.all([t.parse(), t.parse(), t.parse()]);
      expect(t.requests).toHaveLength(1);
    });
    it("reuses a document for its max-age", async () => {
      const t = setup({}, () => Response.json(DOCUMENT, { headers: { "Cache-Control": "public, max-age=300" } }));
      await t.parse();
      t.clock.advance(299);
      await t.parse();
      expect(t.requests).toHaveLength(1);
      t.clock.advance(1);
      await t.parse();
      expect(t.requests).toHaveLength(2);
    });
    it("clamps max-age to the configured bounds", async () => {
      const t = setup({ cache: { min: 30, max: 100 } }, () => Response.json(DOCUMENT, { headers: { "Cache-Control": "max-age=100000" } }));
      await t.parse();
      t.clock.advance(100);
      await t.parse();
      expect(t.requests).toHaveLength(2);
      const short = setup({ cache: { min: 30, max: 100 } }, () => Response.json(DOCUMENT, { headers: { "Cache-Control": "no-store" } }));
      await short.parse();
      short.clock.advance(29);
      await short.parse();
      expect(short.requests).toHaveLength(1);
    });
  });
});
