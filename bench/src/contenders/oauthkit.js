/**
 * oauthkit from the repository's build (`dist/`, made by `npm run build` at the root), with its
 * memory store. Codes are seeded through its own authorization-endpoint API
 * (parseAuthorizationRequest + issueAuthorizationCode); refresh and access tokens come from
 * exchanges made before the clock starts.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CLIENT_ID, CLIENT_SECRET, ISSUER, REDIRECT_URI, REGISTRATION_BODY, RESOURCE, SCOPE, SUBJECT, TOKEN_URL,
  codeExchangeBody, expectStatus, formHeaders, pkcePair, refreshBody, tokenScenarios, accessTokenPool,
} from "../fixtures.js";
import { createCounter } from "../counting.js";

/** Where the build is: the repository's dist/, or OAUTHKIT_DIST (a path to its index.js). */
const distUrl = process.env.OAUTHKIT_DIST
  ? pathToFileURL(process.env.OAUTHKIT_DIST)
  : new URL("../../../dist/index.js", import.meta.url);

const STORAGE_METHODS = [
  "getClient", "createClient", "updateClient", "deleteClient", "countClients", "saveAuthorizationCode",
  "redeemAuthorizationCode", "createGrant", "saveAccessToken", "getAccessToken", "getGrantByRefreshToken",
  "rotateRefreshToken", "revokeGrant", "revokeAccessToken",
];

/** " (abc1234)" for the commit the build was made from, "+dirty" when src/ had local changes. */
function buildRevision(url) {
  try {
    const cwd = fileURLToPath(new URL("..", url));
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd, encoding: "utf8" }).trim() !== "";
    return ` (${commit}${dirty ? "+dirty" : ""})`;
  } catch {
    return "";
  }
}

export async function createContender() {
  const kit = await import(distUrl.href);
  if (typeof kit.createAuthorizationServer !== "function") {
    throw new Error(`${fileURLToPath(distUrl)} does not export createAuthorizationServer yet`);
  }
  const packageJson = JSON.parse(readFileSync(new URL("../package.json", distUrl), "utf8"));
  const counter = createCounter();
  const storage = counter.instrument(kit.createMemoryStorage(), STORAGE_METHODS);
  const server = kit.createAuthorizationServer({
    issuer: ISSUER,
    storage,
    scopesSupported: [SCOPE],
    resources: [RESOURCE],
    endpoints: { registration: "/register" },
  });
  await storage.createClient({
    client_id: CLIENT_ID,
    client_secret_hash: kit.hashToken(CLIENT_SECRET),
    token_endpoint_auth_method: "client_secret_basic",
    redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    scope: SCOPE,
  });

  /** An authorization request, approved: the code from the redirect. */
  async function seedCode() {
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: "code", client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: SCOPE,
      code_challenge: challenge, code_challenge_method: "S256", resource: RESOURCE, state: "s",
    });
    const request = await server.parseAuthorizationRequest(new Request(`${ISSUER}/authorize?${query}`));
    if (request instanceof Response) throw new Error(`authorization request refused: ${request.status} ${request.headers.get("location")}`);
    const redirect = await server.issueAuthorizationCode(request, { subject: SUBJECT });
    const code = new URL(redirect.headers.get("location")).searchParams.get("code");
    return { code, verifier };
  }

  async function token(body) {
    const response = await server.handleTokenRequest(new Request(TOKEN_URL, { method: "POST", headers: formHeaders(body), body }));
    return { status: response.status, text: await response.text() };
  }

  async function obtainTokens(count) {
    const tokens = [];
    for (let i = 0; i < count; i++) {
      const { code, verifier } = await seedCode();
      const { status, text } = await token(codeExchangeBody(code, verifier));
      expectStatus("oauthkit", "seed", status, 200, text);
      tokens.push(JSON.parse(text));
    }
    return tokens;
  }

  return {
    name: "oauthkit",
    version: `${packageJson.version}${buildRevision(distUrl)}`,
    storage: counter,
    notes: [
      "handler methods of `createAuthorizationServer` called with a Web `Request`; the response body is read with `text()`.",
      "bearer validation is `server.validateBearerToken(request, { requiredScopes: [\"api\"] })` (audience: the configured resource).",
    ],
    scenarios: {
      ...tokenScenarios("oauthkit", { seedCode, obtainTokens, postToken: token }),
      bearer: {
        prepare: (count) => accessTokenPool(obtainTokens, count),
        async run(accessToken) {
          const request = new Request(RESOURCE, { headers: { authorization: `Bearer ${accessToken}` } });
          const result = await server.validateBearerToken(request, { requiredScopes: [SCOPE] });
          if (result instanceof Response) expectStatus("oauthkit", "bearer", result.status, 200, await result.text());
        },
      },
      register: typeof server.handleRegistrationRequest !== "function" ? null : {
        prepare: async (count) => Array.from({ length: count }, () => REGISTRATION_BODY),
        async run(body) {
          const response = await server.handleRegistrationRequest(
            new Request(`${ISSUER}/register`, { method: "POST", headers: { "content-type": "application/json" }, body }),
          );
          const text = await response.text();
          expectStatus("oauthkit", "register", response.status, 201, text);
        },
      },
    },
    unavailable: { register: "not in this build" },
  };
}
