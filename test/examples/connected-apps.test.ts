/**
 * The reference server's Connected apps page and remembered consent, over HTTP in-process: a
 * signed-in user lists the apps they authorized and disconnects one (CSRF-protected, only their
 * own grants), and re-authorizing an https client they approved before skips the consent page.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "../../src/index.js";
import { createApp } from "../../examples/mcp-server/app.js";
import { RFC7636_CHALLENGE, RFC7636_VERIFIER } from "../support/fixtures.js";

const ISSUER = "http://localhost:1";
const WEB_CALLBACK = "https://app.example.com/cb";
const LOOPBACK_CALLBACK = "http://127.0.0.1/cb";

function setup() {
  let clock = 1_900_000_000;
  const storage = createMemoryStorage({ now: () => clock });
  const app = createApp({ issuer: ISSUER, storage, demo: { username: "alice", password: "wonderland" }, now: () => clock });
  const handle = (request: Request) => app.handle(request, { remoteAddress: "192.0.2.1" });
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const cookieOf = (response: Response) => (response.headers.get("set-cookie") ?? "").split(";")[0]!;
  const form = (path: string, cookie: string, fields: Record<string, string>) =>
    handle(new Request(`${ISSUER}${path}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie }, body: new URLSearchParams(fields) }));

  async function register(name: string, redirectUri: string): Promise<string> {
    const response = await handle(
      new Request(`${ISSUER}/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_name: name, redirect_uris: [redirectUri], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] }),
      }),
    );
    expect(response.status).toBe(201);
    return (await response.json()).client_id;
  }
  const queryFor = (clientId: string, redirectUri: string) =>
    new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, code_challenge: RFC7636_CHALLENGE, code_challenge_method: "S256", scope: "mcp" }).toString();

  /** Signs in on /authorize; returns the session cookie and the response (consent page or redirect). */
  async function signInAt(query: string) {
    const page = await handle(new Request(`${ISSUER}/authorize?${query}`));
    const response = await form("/authorize", cookieOf(page), { csrf: csrfOf(await page.text()), query, username: "alice", password: "wonderland" });
    return { session: cookieOf(response), response };
  }

  async function exchange(clientId: string, redirectUri: string, location: string) {
    const code = new URL(location).searchParams.get("code");
    expect(code).not.toBeNull();
    const response = await handle(
      new Request(`${ISSUER}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code: code!, redirect_uri: redirectUri, client_id: clientId, code_verifier: RFC7636_VERIFIER }),
      }),
    );
    expect(response.status).toBe(200);
    return (await response.json()) as { access_token: string; refresh_token: string };
  }

  /** A full first authorization: sign-in, consent, approve, exchange. */
  async function connect(clientId: string, redirectUri: string) {
    const query = queryFor(clientId, redirectUri);
    const { session, response } = await signInAt(query);
    const approved = await form("/authorize", session, { csrf: csrfOf(await response.text()), query, approve: "1" });
    expect(approved.status).toBe(302);
    return { session, tokens: await exchange(clientId, redirectUri, approved.headers.get("location")!) };
  }

  const whoami = async (token: string) =>
    (
      await handle(
        new Request(`${ISSUER}/mcp`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
        }),
      )
    ).status;

  return { app, storage, handle, form, csrfOf, cookieOf, register, queryFor, signInAt, exchange, connect, whoami, advance: (s: number) => void (clock += s) };
}

describe("reference server: Connected apps page", () => {
  it("signed out: a sign-in form (CSRF token, nonce cookie), no grants shown", async () => {
    const t = setup();
    const page = await t.handle(new Request(`${ISSUER}/connected-apps`));
    expect(page.status).toBe(200);
    expect(page.headers.get("set-cookie")).toMatch(/^oauthkit_demo_signin=/);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).toContain('name="username"');
    expect(t.csrfOf(html)).not.toBe("");
    expect(html).not.toContain('id="apps"');
  });

  it("lists the signed-in user's apps, and Disconnect revokes that app's tokens (303 back, RFC 7009 §2.1 semantics)", async () => {
    const t = setup();
    const calendar = await t.register("Calendar <script>", WEB_CALLBACK);
    const notes = await t.register("Notes", LOOPBACK_CALLBACK);
    const first = await t.connect(calendar, WEB_CALLBACK);
    const second = await t.connect(notes, LOOPBACK_CALLBACK);
    expect(await t.whoami(first.tokens.access_token)).toBe(200);

    const page = await t.handle(new Request(`${ISSUER}/connected-apps`, { headers: { Cookie: second.session } }));
    const html = await page.text();
    expect(html).toContain("Calendar &lt;script&gt;");
    expect(html).not.toContain("Calendar <script>");
    expect(html).toContain(`data-client-id="${notes}"`);
    const grants = await t.app.oauth.listGrants("alice");
    expect(grants.map((g) => g.clientId).sort()).toEqual([calendar, notes].sort());

    const calendarGrant = grants.find((g) => g.clientId === calendar)!.grantId;
    const disconnected = await t.form("/connected-apps", second.session, { csrf: t.csrfOf(html), action: "disconnect", grant: calendarGrant });
    expect(disconnected.status).toBe(303);
    expect(disconnected.headers.get("location")).toBe(`${ISSUER}/connected-apps?disconnected=1`);
    expect(await t.whoami(first.tokens.access_token)).toBe(401);
    expect(await t.whoami(second.tokens.access_token)).toBe(200);
    const after = await (await t.handle(new Request(`${ISSUER}/connected-apps?disconnected=1`, { headers: { Cookie: second.session } }))).text();
    expect(after).toContain("The app was disconnected");
    expect(after).not.toContain(`data-client-id="${calendar}"`);
  });

  it("refuses a disconnect without the session's CSRF token (403) and changes nothing", async () => {
    const t = setup();
    const client = await t.register("App", WEB_CALLBACK);
    const { session, tokens } = await t.connect(client, WEB_CALLBACK);
    const [grant] = await t.app.oauth.listGrants("alice");
    for (const csrf of ["", "forged"]) {
      expect((await t.form("/connected-apps", session, { csrf, action: "disconnect", grant: grant!.grantId })).status).toBe(403);
    }
    expect((await t.form("/connected-apps", "", { csrf: "x", action: "disconnect", grant: grant!.grantId })).status).toBe(403);
    expect(await t.whoami(tokens.access_token)).toBe(200);
  });

  it("refuses to disconnect a grant that is not the user's (another subject's id from a forged form)", async () => {
    const t = setup();
    const client = await t.register("App", WEB_CALLBACK);
    const { session } = await t.connect(client, WEB_CALLBACK);
    // Bob's grant, made directly through the library API.
    const bobs = await t.app.oauth.parseAuthorizationRequest(new Request(`${ISSUER}/authorize?${t.queryFor(client, WEB_CALLBACK)}`));
    if (bobs instanceof Response) throw new Error("refused");
    const bobTokens = await t.exchange(client, WEB_CALLBACK, (await t.app.oauth.issueAuthorizationCode(bobs, { subject: "bob" })).headers.get("location")!);
    const [bobGrant] = await t.app.oauth.listGrants("bob");
    const page = await (await t.handle(new Request(`${ISSUER}/connected-apps`, { headers: { Cookie: session } }))).text();
    const response = await t.form("/connected-apps", session, { csrf: t.csrfOf(page), action: "disconnect", grant: bobGrant!.grantId });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("That app is not connected to your account.");
    expect(await t.whoami(bobTokens.access_token)).toBe(200);
  });

  it("signs in on the page itself (303 back with a session cookie); a wrong password shows the form again", async () => {
    const t = setup();
    const page = await t.handle(new Request(`${ISSUER}/connected-apps`));
    const nonce = t.cookieOf(page);
    const csrf = t.csrfOf(await page.text());
    const wrong = await t.form("/connected-apps", nonce, { csrf, action: "sign-in", username: "alice", password: "nope" });
    expect(wrong.status).toBe(200);
    expect(await wrong.text()).toContain("Wrong username or password.");
    expect((await t.form("/connected-apps", nonce, { csrf: "forged", action: "sign-in", username: "alice", password: "wonderland" })).status).toBe(403);
    const signedIn = await t.form("/connected-apps", nonce, { csrf, action: "sign-in", username: "alice", password: "wonderland" });
    expect(signedIn.status).toBe(303);
    const session = t.cookieOf(signedIn);
    expect(session).toMatch(/^oauthkit_demo_session=/);
    const list = await (await t.handle(new Request(`${ISSUER}/connected-apps`, { headers: { Cookie: session } }))).text();
    expect(list).toContain('id="no-apps"');
  });
});

describe("reference server: remembered consent", () => {
  it("re-authorizing an https client the user approved skips the consent page and replaces the old grant", async () => {
    const t = setup();
    const client = await t.register("Web App", WEB_CALLBACK);
    const first = await t.connect(client, WEB_CALLBACK);
    const again = await t.handle(new Request(`${ISSUER}/authorize?${t.queryFor(client, WEB_CALLBACK)}`, { headers: { Cookie: first.session } }));
    expect(again.status).toBe(302);
    const location = again.headers.get("location")!;
    expect(location.startsWith(`${WEB_CALLBACK}?`)).toBe(true);
    await t.exchange(client, WEB_CALLBACK, location);
    // revokeExistingGrants (the default): the earlier grant is gone, one grant remains.
    expect(await t.whoami(first.tokens.access_token)).toBe(401);
    expect(await t.app.oauth.listGrants("alice")).toHaveLength(1);
  });

  it("also right after signing in: the sign-in answers with the redirect and the session cookie", async () => {
    const t = setup();
    const client = await t.register("Web App", WEB_CALLBACK);
    await t.connect(client, WEB_CALLBACK);
    const { response } = await t.signInAt(t.queryFor(client, WEB_CALLBACK));
    expect(response.status).toBe(302);
    expect(response.headers.get("set-cookie")).toMatch(/^oauthkit_demo_session=/);
    expect(new URL(response.headers.get("location")!).searchParams.has("code")).toBe(true);
  });

  it("asks again for a loopback redirect URI, which any app on the device could receive (RFC 8252 §8.6)", async () => {
    const t = setup();
    const client = await t.register("Native App", LOOPBACK_CALLBACK);
    const first = await t.connect(client, LOOPBACK_CALLBACK);
    const again = await t.handle(new Request(`${ISSUER}/authorize?${t.queryFor(client, LOOPBACK_CALLBACK)}`, { headers: { Cookie: first.session } }));
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('name="approve"');
  });

  it("asks again once the app was disconnected", async () => {
    const t = setup();
    const client = await t.register("Web App", WEB_CALLBACK);
    const first = await t.connect(client, WEB_CALLBACK);
    await t.app.oauth.revokeClientGrants({ subject: "alice", clientId: client });
    const again = await t.handle(new Request(`${ISSUER}/authorize?${t.queryFor(client, WEB_CALLBACK)}`, { headers: { Cookie: first.session } }));
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('name="approve"');
  });
});
