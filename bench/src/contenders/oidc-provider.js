/**
 * oidc-provider (9.x) with its own memory adapter (lib/adapters/memory_adapter.js), given a store
 * large enough for the run (its default LRU keeps 1000 entries), driven through its Koa app
 * callback `provider.callback()` with light-my-request, which hands it a Node
 * IncomingMessage/ServerResponse pair without a socket.
 *
 * Codes are seeded through its own models (`new provider.Grant(…).save()` and
 * `new provider.AuthorizationCode(…).save()`); refresh and access tokens come from exchanges made
 * before the clock starts. The client lives in the adapter, as a registered client would, so that
 * looking it up is a storage call as it is for the other contenders.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { inject } from "light-my-request";
import { Provider } from "oidc-provider";
import MemoryAdapter from "oidc-provider/lib/adapters/memory_adapter.js";
import LRU from "oidc-provider/lib/helpers/lru.js";
import {
  CLIENT_ID, CLIENT_SECRET, ISSUER, REDIRECT_URI, REGISTRATION_BODY, RESOURCE, SCOPE, SUBJECT,
  codeExchangeBody, expectStatus, formHeaders, pkcePair, refreshBody, tokenScenarios, accessTokenPool,
} from "../fixtures.js";
import { createCounter } from "../counting.js";

const ADAPTER_METHODS = ["upsert", "find", "findByUserCode", "findByUid", "consume", "destroy", "revokeByGrantId"];

export async function createContender() {
  const version = JSON.parse(readFileSync(new URL("../../node_modules/oidc-provider/package.json", import.meta.url), "utf8")).version;
  const counter = createCounter();
  const store = new LRU({ maxSize: 10_000_000 });
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

  const provider = new Provider(ISSUER, {
    adapter: (model) => counter.instrument(new MemoryAdapter(model, store), ADAPTER_METHODS),
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "bench", use: "sig", alg: "RS256" }] },
    cookies: { keys: ["bench-cookie-key-0123456789abcdef"] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    scopes: [SCOPE],
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: SCOPE, audience: RESOURCE, accessTokenFormat: "opaque", accessTokenTTL: 3600 }),
      },
    },
    // Every code exchange issues a refresh token and every refresh rotates it, as oauthkit does.
    issueRefreshToken: () => true,
    ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 90 * 24 * 3600, RefreshToken: 30 * 24 * 3600, RegistrationAccessToken: 90 * 24 * 3600 },
    rotateRefreshToken: true,
    routes: { token: "/token", registration: "/reg" },
  });
  // Silence its per-error event logging; errors still fail the bench through the status check.
  provider.on("server_error", (_ctx, error) => console.error(error));
  const callback = provider.callback();

  await new MemoryAdapter("Client", store).upsert(CLIENT_ID, {
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    scope: SCOPE,
  });
  const client = await provider.Client.find(CLIENT_ID);

  /** One grant and one code bound to it, through oidc-provider's models. */
  async function seedCode() {
    const { verifier, challenge } = pkcePair();
    const grant = new provider.Grant({ accountId: SUBJECT, clientId: CLIENT_ID });
    grant.addResourceScope(RESOURCE, SCOPE);
    const grantId = await grant.save();
    const code = await new provider.AuthorizationCode({
      accountId: SUBJECT, client, grantId, scope: SCOPE, resource: RESOURCE,
      redirectUri: REDIRECT_URI, codeChallenge: challenge, codeChallengeMethod: "S256",
    }).save();
    return { code, verifier };
  }

  async function post(url, body, headers = formHeaders(body)) {
    const response = await inject(callback, { method: "POST", url, authority: "localhost:3000", headers, payload: body });
    return { status: response.statusCode, text: response.payload };
  }

  async function obtainTokens(count) {
    const tokens = [];
    for (let i = 0; i < count; i++) {
      const { code, verifier } = await seedCode();
      const { status, text } = await post("/token", codeExchangeBody(code, verifier));
      expectStatus("oidc-provider", "seed", status, 200, text);
      tokens.push(JSON.parse(text));
    }
    return tokens;
  }

  /** A resource server's check next to oidc-provider: find the opaque token, check audience and scope. */
  async function validateBearer(request) {
    const authorization = request.headers.get("authorization") ?? "";
    const token = authorization.startsWith("Bearer ") ? await provider.AccessToken.find(authorization.slice(7)) : undefined;
    if (token === undefined || token.isExpired || token.aud !== RESOURCE || !token.scopes.has(SCOPE)) {
      return new Response(null, { status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } });
    }
    return token;
  }

  return {
    name: "oidc-provider",
    version,
    storage: counter,
    notes: [
      "`provider.callback()` driven by light-my-request (`inject`, no socket); the body is parsed by oidc-provider itself. Memory adapter from `oidc-provider/lib/adapters/memory_adapter.js` over its LRU with room for the whole run; storage calls are adapter method calls.",
      "bearer validation: a Web `Request` handler calling `provider.AccessToken.find` and checking expiry, audience and scope (oidc-provider leaves resource-server validation to the host; introspection or userinfo over HTTP would add client authentication or account claims).",
      "refresh tokens: `issueRefreshToken` always and `rotateRefreshToken: true` (its default rotates only in some cases); opaque access tokens for the resource.",
    ],
    scenarios: {
      ...tokenScenarios("oidc-provider", { seedCode, obtainTokens, postToken: (body) => post("/token", body) }),
      bearer: {
        prepare: (count) => accessTokenPool(obtainTokens, count),
        async run(accessToken) {
          const result = await validateBearer(new Request(RESOURCE, { headers: { authorization: `Bearer ${accessToken}` } }));
          if (result instanceof Response) expectStatus("oidc-provider", "bearer", result.status, 200, "");
        },
      },
      register: {
        prepare: async (count) => Array.from({ length: count }, () => REGISTRATION_BODY),
        async run(body) {
          const { status, text } = await post("/reg", body, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
          expectStatus("oidc-provider", "register", status, 201, text);
        },
      },
    },
  };
}
