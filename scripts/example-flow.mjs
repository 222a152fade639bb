/**
 * One full OAuth + MCP flow against the reference server over HTTP, as a browser and a public MCP
 * client would do it: dynamic registration, sign-in and consent through the HTML forms (with the
 * session cookie and CSRF token), code exchange with PKCE, `whoami` over MCP, refresh, revocation.
 * Used by scripts/example-smoke.mjs (CI) and test/examples/mcp-server.test.ts.
 */
import { createHash, randomBytes } from "node:crypto";

const base64url = (bytes) => Buffer.from(bytes).toString("base64url");

function hiddenFields(html) {
  const fields = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1]] = match[2].replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  }
  return fields;
}

function check(condition, message) {
  if (!condition) throw new Error(`example flow: ${message}`);
}

/** POSTs the MCP `tools/call` of `whoami` to /mcp with the bearer token; returns the raw response. */
export function postWhoami(origin, accessToken, init = {}) {
  return fetch(`${origin}/mcp`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${accessToken}`,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }),
    ...init,
  });
}

export async function callWhoami(origin, accessToken) {
  const response = await postWhoami(origin, accessToken);
  check(response.status === 200, `tools/call answered ${response.status}: ${await response.clone().text()}`);
  const body = await response.json();
  return body.result?.content?.[0]?.text;
}

/**
 * Plays the user in a browser: opens the authorization URL, signs in through the HTML form (with
 * the session cookie and CSRF token), then approves or denies on the consent page. Returns the
 * redirect back to the client.
 */
export async function signInAndDecide(authorizationUrl, { username = "demo", password = "demo", decision = "approve", expectClientName } = {}) {
  const signIn = await fetch(authorizationUrl, { redirect: "manual" });
  check(signIn.status === 200, `sign-in page answered ${signIn.status}: ${await signIn.clone().text()}`);
  // The session cookie, as a browser keeps it: replaced when the server sets a new one (sign-in
  // starts a fresh session).
  let cookie = "";
  const keepCookie = (response) => {
    const set = response.headers.get("set-cookie");
    if (set) cookie = set.split(";")[0];
    return response;
  };
  keepCookie(signIn);
  const signInFields = hiddenFields(await signIn.text());
  const post = (fields) =>
    fetch(new URL("/authorize", authorizationUrl), {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
      body: new URLSearchParams(fields),
    }).then(keepCookie);
  const consent = await post({ ...signInFields, username, password });
  const consentHtml = await consent.text();
  check(consent.status === 200 && consentHtml.includes('name="approve"'), "consent page after sign-in");
  if (expectClientName !== undefined) check(consentHtml.includes(expectClientName), "consent page names the client");
  const decisionResponse = await post({ ...hiddenFields(consentHtml), [decision]: "1" });
  check(decisionResponse.status === 302, `decision answered ${decisionResponse.status}`);
  return new URL(decisionResponse.headers.get("location"));
}

/** Runs the flow; `decision` is "approve" or "deny". Returns what it saw. */
export async function runExampleFlow(origin, { username = "demo", password = "demo", decision = "approve" } = {}) {
  const metadata = await (await fetch(`${origin}/.well-known/oauth-authorization-server`)).json();
  const resourceMetadata = await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).json();
  check(resourceMetadata.authorization_servers?.includes(metadata.issuer), "protected resource metadata names the issuer");

  const unauthenticated = await fetch(`${origin}/mcp`, { method: "POST" });
  check(unauthenticated.status === 401, "/mcp without a token is 401");
  check(/resource_metadata="/.test(unauthenticated.headers.get("www-authenticate") ?? ""), "401 carries resource_metadata");

  const redirectUri = "http://127.0.0.1:8976/callback";
  const registration = await fetch(metadata.registration_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "Example flow", redirect_uris: [redirectUri], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] }),
  });
  check(registration.status === 201, `registration answered ${registration.status}`);
  const client = await registration.json();

  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash("sha256").update(verifier).digest());
  const state = base64url(randomBytes(8));
  const authorizeUrl = new URL(metadata.authorization_endpoint);
  for (const [name, value] of Object.entries({
    response_type: "code", client_id: client.client_id, redirect_uri: redirectUri, scope: "mcp", state,
    code_challenge: challenge, code_challenge_method: "S256", resource: resourceMetadata.resource,
  })) authorizeUrl.searchParams.set(name, value);

  const callback = await signInAndDecide(authorizeUrl, { username, password, decision, expectClientName: "Example flow" });
  check(callback.searchParams.get("state") === state, "state comes back");
  check(callback.searchParams.get("iss") === metadata.issuer, "iss comes back (RFC 9207)");
  if (decision === "deny") return { error: callback.searchParams.get("error") };

  const token = (params) =>
    fetch(metadata.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: client.client_id, ...params }),
    }).then(async (response) => {
      check(response.status === 200, `token endpoint answered ${response.status}: ${await response.clone().text()}`);
      return response.json();
    });
  const tokens = await token({ grant_type: "authorization_code", code: callback.searchParams.get("code"), redirect_uri: redirectUri, code_verifier: verifier });
  const subject = await callWhoami(origin, tokens.access_token);
  check(subject === username, `whoami answered ${subject}`);

  const refreshed = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token });
  check((await callWhoami(origin, refreshed.access_token)) === username, "whoami after refresh");

  const revoked = await fetch(metadata.revocation_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: client.client_id, token: refreshed.refresh_token }),
  });
  check(revoked.status === 200, "revocation");
  const after = await fetch(`${origin}/mcp`, { method: "POST", headers: { Authorization: `Bearer ${refreshed.access_token}` } });
  check(after.status === 401, "revoked token refused");
  return { subject, clientId: client.client_id };
}
