import { describe, expect, it } from "vitest";
import { type ClientAuthenticationOptions, type ClientRecord, authenticateClient, hashToken, parseBasicCredentials, parseParameters } from "../../src/index.js";
import {
  ISSUER,
  basicAuth,
  createTestServer,
  formRequest,
  registerClient,
} from "../support/fixtures.js";

/** Runs a client_credentials request, which needs nothing but client authentication. */
async function clientCredentials(headers: Record<string, string>, body: Record<string, string> = {}) {
  return { body: { grant_type: "client_credentials", ...body }, headers };
}

async function setup() {
  const t = createTestServer();
  const basic = await registerClient(t.storage, { method: "client_secret_basic", grantTypes: ["client_credentials"] });
  const post = await registerClient(t.storage, { method: "client_secret_post", grantTypes: ["client_credentials"] });
  const pub = await registerClient(t.storage, { method: "none" });
  const send = async (input: { body: Record<string, string>; headers: Record<string, string> }) => {
    const response = await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, input.body, input.headers));
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  return { ...t, basic, post, pub, send };
}

describe("client authentication (RFC 6749 §2.3)", () => {
  it("accepts client_secret_basic (RFC 6749 §2.3.1)", async () => {
    const { basic, send } = await setup();
    const result = await send(await clientCredentials({ Authorization: basicAuth(basic.clientId, basic.secret!) }));
    expect(result.status).toBe(200);
    expect(result.body.token_type).toBe("Bearer");
  });

  it("decodes the form-urlencoding of id and secret inside Basic credentials (RFC 6749 §2.3.1)", async () => {
    const t = createTestServer();
    const secret = "s3cr+t %41:with spaces&=";
    await registerClient(t.storage, { clientId: "id:with%odd chars", secret, grantTypes: ["client_credentials"] });
    // Written out by hand, not by the fixture's encoder: "+" for spaces, %2B for "+", %25 for "%",
    // %3A for ":", %26 for "&", %3D for "=". Only a server that form-decodes both halves accepts it.
    const header = `Basic ${btoa("id%3Awith%25odd+chars:s3cr%2Bt+%2541%3Awith+spaces%26%3D")}`;
    const response = await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "client_credentials" }, { Authorization: header }));
    // The same bytes read without decoding (or with "+" kept as "+") name another secret.
    const undecoded = `Basic ${btoa("id%3Awith%25odd+chars:s3cr+t %41:with spaces&=")}`;
    const refused = await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "client_credentials" }, { Authorization: undecoded }));
    expect(refused.status).toBe(401);
    expect(response.status).toBe(200);
  });

  it("accepts generated (base64url) secrets sent without the §2.3.1 encoding, as many clients do", async () => {
    const { basic, send } = await setup();
    expect(basic.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const raw = `Basic ${btoa(`${basic.clientId}:${basic.secret}`)}`;
    expect((await send(await clientCredentials({ Authorization: raw }))).status).toBe(200);
  });

  it("accepts client_secret_post (RFC 6749 §2.3.1)", async () => {
    const { post, send } = await setup();
    const result = await send(await clientCredentials({}, { client_id: post.clientId, client_secret: post.secret! }));
    expect(result.status).toBe(200);
  });

  it("refuses a client_secret_basic client sending its secret in the body (registered method enforced)", async () => {
    const { basic, send } = await setup();
    const result = await send(await clientCredentials({}, { client_id: basic.clientId, client_secret: basic.secret! }));
    expect(result.status).toBe(401);
    expect(result.body.error).toBe("invalid_client");
  });

  it("refuses a client_secret_post client using Basic", async () => {
    const { post, send } = await setup();
    const result = await send(await clientCredentials({ Authorization: basicAuth(post.clientId, post.secret!) }));
    expect(result.status).toBe(401);
    expect(result.body.error).toBe("invalid_client");
  });

  it("refuses a confidential client that sends no secret (method none)", async () => {
    const { basic, send } = await setup();
    const result = await send(await clientCredentials({}, { client_id: basic.clientId }));
    expect(result.status).toBe(401);
    expect(result.body.error).toBe("invalid_client");
  });

  it("answers invalid_client with 401 and WWW-Authenticate (RFC 6749 §5.2)", async () => {
    const { basic, send } = await setup();
    const result = await send(await clientCredentials({ Authorization: basicAuth(basic.clientId, "wrong") }));
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ error: "invalid_client", error_description: "Client authentication failed." });
    expect(result.headers.get("www-authenticate")).toMatch(/^Basic realm="https:\/\/as\.example\.com"/);
  });

  it("gives the same answer for an unknown client as for a wrong secret (no enumeration)", async () => {
    const { basic, send } = await setup();
    const unknown = await send(await clientCredentials({ Authorization: basicAuth("nobody", "x") }));
    const wrong = await send(await clientCredentials({ Authorization: basicAuth(basic.clientId, "x") }));
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.status).toBe(401);
  });

  it("answers malformed base64 in Basic with invalid_client", async () => {
    const { send } = await setup();
    const result = await send(await clientCredentials({ Authorization: "Basic !!!not-base64" }));
    expect(result).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });

  it("answers Basic credentials without a colon with invalid_client", async () => {
    const { basic, send } = await setup();
    const result = await send(await clientCredentials({ Authorization: `Basic ${btoa(basic.clientId)}` }));
    expect(result).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });

  it("answers credentials presented by two methods with invalid_request (RFC 6749 §2.3)", async () => {
    const { basic, send } = await setup();
    const result = await send(
      await clientCredentials({ Authorization: basicAuth(basic.clientId, basic.secret!) }, { client_secret: basic.secret! }),
    );
    expect(result).toMatchObject({ status: 400, body: { error: "invalid_request" } });
  });

  it("answers a body client_id that contradicts the Basic credentials with invalid_request", async () => {
    const { basic, post, send } = await setup();
    const result = await send(await clientCredentials({ Authorization: basicAuth(basic.clientId, basic.secret!) }, { client_id: post.clientId }));
    expect(result).toMatchObject({ status: 400, body: { error: "invalid_request" } });
  });

  it("refuses an expired client secret (RFC 7591 §3.2.1 client_secret_expires_at)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { grantTypes: ["client_credentials"], secretExpiresAt: t.clock.now() + 10 });
    const request = () => formRequest(`${ISSUER}/token`, { grant_type: "client_credentials" }, { Authorization: basicAuth(client.clientId, client.secret!) });
    expect((await t.server.handleTokenRequest(request())).status).toBe(200);
    t.clock.advance(10);
    const response = await t.server.handleTokenRequest(request());
    expect(response.status).toBe(401);
    expect((await response.json()).error).toBe("invalid_client");
  });

  it("answers a request with no client identification with 401 invalid_client", async () => {
    const { send } = await setup();
    expect(await send(await clientCredentials({}))).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });

  it("refuses a method the endpoint does not accept", async () => {
    const t = createTestServer({ clientAuthenticationMethods: ["client_secret_basic"] });
    const pub = await registerClient(t.storage, { method: "none" });
    const response = await t.server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "refresh_token", refresh_token: "x", client_id: pub.clientId }));
    expect(response.status).toBe(401);
  });

  it("is usable on its own from a host's endpoint", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage, { method: "client_secret_post" });
    const params = parseParameters(`client_id=${client.clientId}&client_secret=${client.secret}`);
    const result = await authenticateClient(new Headers(), params, { getClient: (id) => t.storage.getClient(id) });
    expect(result.method).toBe("client_secret_post");
    expect(result.client.client_id).toBe(client.clientId);
    await expect(
      authenticateClient(new Headers(), parseParameters(`client_id=${client.clientId}&client_secret=nope`), { getClient: (id) => t.storage.getClient(id) }),
    ).rejects.toMatchObject({ error: "invalid_client", status: 401 });
  });
});

describe("client authentication on its own: exact outcomes (RFC 6749 §2.3)", () => {
  const NOW = 1_800_000_000;
  const secret = "correct horse battery staple";
  const records: Record<string, ClientRecord> = {
    basic: { client_id: "basic", token_endpoint_auth_method: "client_secret_basic", client_secret_hash: hashToken(secret), redirect_uris: [], grant_types: [], response_types: [] },
    post: { client_id: "post", token_endpoint_auth_method: "client_secret_post", client_secret_hash: hashToken(secret), redirect_uris: [], grant_types: [], response_types: [] },
    pub: { client_id: "pub", token_endpoint_auth_method: "none", redirect_uris: [], grant_types: [], response_types: [] },
    // Registered for a secret method but holding no secret (a broken record): never authenticated.
    nohash: { client_id: "nohash", token_endpoint_auth_method: "client_secret_post", redirect_uris: [], grant_types: [], response_types: [] },
  };
  const getClient = async (id: string) => records[id] ?? null;
  const authenticate = (headers: Record<string, string>, body: string, options: Partial<ClientAuthenticationOptions> = {}) =>
    authenticateClient(new Headers(headers), parseParameters(body), { getClient, now: () => NOW, ...options });
  const invalidClient = (description: string, realm = "oauth") => ({
    error: "invalid_client",
    status: 401,
    description,
    headers: { "WWW-Authenticate": `Basic realm="${realm}", charset="UTF-8"` },
  });

  it("accepts each of the three methods by default, reporting which one was used", async () => {
    expect(await authenticate({ Authorization: basicAuth("basic", secret) }, "")).toMatchObject({ method: "client_secret_basic", client: { client_id: "basic" } });
    expect(await authenticate({}, `client_id=post&client_secret=${encodeURIComponent(secret)}`)).toMatchObject({ method: "client_secret_post", client: { client_id: "post" } });
    expect(await authenticate({}, "client_id=pub")).toMatchObject({ method: "none", client: { client_id: "pub" } });
  });

  it("accepts a body client_id equal to the Basic one (RFC 6749 §2.3.1 allows naming the client)", async () => {
    expect(await authenticate({ Authorization: basicAuth("basic", secret) }, "client_id=basic")).toMatchObject({ method: "client_secret_basic" });
  });

  it("answers each failure with its own description and the challenge, with the default realm", async () => {
    await expect(authenticate({}, "")).rejects.toMatchObject(invalidClient("Client authentication is required."));
    await expect(authenticate({ Authorization: "Basic" }, "")).rejects.toMatchObject(invalidClient("The Basic credentials are malformed."));
    await expect(authenticate({ Authorization: basicAuth("basic", "wrong") }, "")).rejects.toMatchObject(invalidClient("Client authentication failed."));
    await expect(authenticate({}, `client_id=nohash&client_secret=${encodeURIComponent(secret)}`)).rejects.toMatchObject(invalidClient("Client authentication failed."));
    await expect(authenticate({}, "client_id=pub", { methods: ["client_secret_basic"], realm: "https://as.example.com" })).rejects.toMatchObject(
      invalidClient("The none client authentication method is not supported here.", "https://as.example.com"),
    );
    await expect(authenticate({ Authorization: basicAuth("basic", secret) }, "client_secret=x")).rejects.toMatchObject({
      error: "invalid_request",
      status: 400,
      description: "Client credentials were sent by more than one method.",
    });
    await expect(authenticate({ Authorization: basicAuth("basic", secret) }, "client_id=post")).rejects.toMatchObject({
      error: "invalid_request",
      status: 400,
      description: "The client_id parameter does not match the Basic credentials.",
    });
  });

  it("limits the methods to those given, each on its own", async () => {
    await expect(authenticate({ Authorization: basicAuth("basic", secret) }, "", { methods: ["client_secret_post", "none"] })).rejects.toMatchObject({ status: 401 });
    await expect(authenticate({}, `client_id=post&client_secret=${encodeURIComponent(secret)}`, { methods: ["client_secret_basic", "none"] })).rejects.toMatchObject({ status: 401 });
    expect(await authenticate({}, "client_id=pub", { methods: ["none"] })).toMatchObject({ method: "none" });
  });

  it("expires a secret at client_secret_expires_at exactly; 0 means never (RFC 7591 §3.2.1)", async () => {
    const expiring = (expiresAt: number) => async (id: string) => (id === "post" ? { ...records["post"]!, client_secret_expires_at: expiresAt } : null);
    const body = `client_id=post&client_secret=${encodeURIComponent(secret)}`;
    expect(await authenticate({}, body, { getClient: expiring(NOW + 1) })).toMatchObject({ method: "client_secret_post" });
    expect(await authenticate({}, body, { getClient: expiring(0) })).toMatchObject({ method: "client_secret_post" });
    await expect(authenticate({}, body, { getClient: expiring(NOW) })).rejects.toMatchObject(invalidClient("The client secret has expired."));
    // Without a clock option, the system clock.
    const now = Math.floor(Date.now() / 1000);
    const options = (expiresAt: number) => ({ getClient: expiring(expiresAt) });
    expect(await authenticateClient(new Headers(), parseParameters(body), options(now + 3600))).toMatchObject({ method: "client_secret_post" });
    await expect(authenticateClient(new Headers(), parseParameters(body), options(now - 1))).rejects.toMatchObject({ description: "The client secret has expired." });
  });
});

describe("parseBasicCredentials (RFC 6749 §2.3.1, RFC 7617 §2)", () => {
  const b64 = (text: string) => btoa(text);

  it("reads the scheme case-insensitively, and only the Basic scheme", () => {
    expect(parseBasicCredentials(null)).toEqual({ kind: "absent" });
    expect(parseBasicCredentials(`Bearer ${b64("a:b")}`)).toEqual({ kind: "absent" });
    expect(parseBasicCredentials(`Basicx ${b64("a:b")}`)).toEqual({ kind: "absent" });
    expect(parseBasicCredentials("Bearer")).toEqual({ kind: "absent" });
    expect(parseBasicCredentials(`bAsIc ${b64("a:b")}`)).toEqual({ kind: "basic", clientId: "a", secret: "b" });
    expect(parseBasicCredentials("Basic")).toEqual({ kind: "malformed" });
    expect(parseBasicCredentials("basic")).toEqual({ kind: "malformed" });
  });

  it("splits at the first colon, form-decodes both halves, and tolerates spaces around the credentials", () => {
    expect(parseBasicCredentials(`Basic   ${b64("a%3Ab:c:d")}  `)).toEqual({ kind: "basic", clientId: "a:b", secret: "c:d" });
    expect(parseBasicCredentials(`Basic ${b64("my+id:a+b%2Bc")}`)).toEqual({ kind: "basic", clientId: "my id", secret: "a b+c" });
    expect(parseBasicCredentials(`Basic ${b64("id:")}`)).toEqual({ kind: "basic", clientId: "id", secret: "" });
  });

  it("calls malformed: no colon, an empty id, bad base64, bad UTF-8, bad percent-encoding", () => {
    for (const credentials of [b64("nocolon"), b64(":secret"), "!!!", b64("\xff\xfe:x"), b64("%E0%A4%A:x"), b64("id:%zz")]) {
      expect(parseBasicCredentials(`Basic ${credentials}`)).toEqual({ kind: "malformed" });
    }
  });
});
