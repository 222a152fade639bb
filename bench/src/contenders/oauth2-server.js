/**
 * @node-oauth/oauth2-server (5.x) with an in-memory model written here: Maps, tokens stored as
 * SHA-256 hashes (as oauthkit and the floor store them), the client secret compared in constant
 * time. Driven through its own Request/Response objects; the form body is parsed with
 * URLSearchParams first, standing in for the body parser a host puts in front of it, and the
 * response body is serialised with JSON.stringify as the host would.
 *
 * Codes are seeded through the model's saveAuthorizationCode; refresh and access tokens come from
 * exchanges made before the clock starts. It has no dynamic client registration.
 */
import { createRequire } from "node:module";
import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import OAuth2Server from "@node-oauth/oauth2-server";
import {
  CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, RESOURCE, SCOPE, SUBJECT,
  codeExchangeBody, expectStatus, formHeaders, pkcePair, refreshBody, tokenScenarios, accessTokenPool,
} from "../fixtures.js";
import { createCounter } from "../counting.js";

const { Request, Response } = OAuth2Server;
const require = createRequire(import.meta.url);
const encoder = new TextEncoder();
const hash = (value) => encodeBase64urlNoPadding(sha256(encoder.encode(value)));
const MODEL_STORAGE_METHODS = [
  "getClient", "saveAuthorizationCode", "getAuthorizationCode", "revokeAuthorizationCode",
  "saveToken", "getAccessToken", "getRefreshToken", "revokeToken",
];

function equalStrings(a, b) {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.length === right.length && constantTimeEqual(left, right);
}

export async function createContender() {
  const version = require("@node-oauth/oauth2-server/package.json").version;
  const counter = createCounter();
  const clients = new Map([[CLIENT_ID, {
    id: CLIENT_ID, secretHash: hash(CLIENT_SECRET), redirectUris: [REDIRECT_URI],
    grants: ["authorization_code", "refresh_token"],
  }]]);
  const codes = new Map();
  const accessTokens = new Map();
  const refreshTokens = new Map();

  const model = {
    async getClient(clientId, clientSecret) {
      const client = clients.get(clientId);
      if (client === undefined) return false;
      // The token endpoint passes the secret; the authorization endpoint passes null.
      if (clientSecret !== null && !equalStrings(hash(clientSecret), client.secretHash)) return false;
      return client;
    },
    async saveAuthorizationCode(code, client, user) {
      const record = { ...code, client, user };
      codes.set(hash(code.authorizationCode), record);
      return record;
    },
    async getAuthorizationCode(authorizationCode) {
      return codes.get(hash(authorizationCode)) ?? false;
    },
    async revokeAuthorizationCode(code) {
      return codes.delete(hash(code.authorizationCode));
    },
    async saveToken(token, client, user) {
      const record = { ...token, client, user, resource: RESOURCE };
      accessTokens.set(hash(token.accessToken), record);
      if (token.refreshToken !== undefined) refreshTokens.set(hash(token.refreshToken), record);
      return record;
    },
    async getAccessToken(accessToken) {
      return accessTokens.get(hash(accessToken)) ?? false;
    },
    async getRefreshToken(refreshToken) {
      return refreshTokens.get(hash(refreshToken)) ?? false;
    },
    async revokeToken(token) {
      return refreshTokens.delete(hash(token.refreshToken));
    },
    // Not storage: the scope check of authenticate(), as oauthkit's requiredScopes.
    async verifyScope(token, scope) {
      return scope.every((s) => token.scope.includes(s));
    },
  };
  counter.instrument(model, MODEL_STORAGE_METHODS);
  const oauth = new OAuth2Server({ model, accessTokenLifetime: 3600, refreshTokenLifetime: 30 * 24 * 3600, allowEmptyState: true });

  /** A code as its authorize handler would save it: bound to client, redirect URI and PKCE challenge. */
  async function seedCode() {
    const { verifier, challenge } = pkcePair();
    const bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    const code = encodeBase64urlNoPadding(bytes);
    await model.saveAuthorizationCode({
      authorizationCode: code, expiresAt: new Date(Date.now() + 600_000), redirectUri: REDIRECT_URI,
      scope: [SCOPE], codeChallenge: challenge, codeChallengeMethod: "S256",
    }, clients.get(CLIENT_ID), { id: SUBJECT });
    return { code, verifier };
  }

  async function token(body) {
    const request = new Request({
      method: "POST", query: {}, headers: formHeaders(body), body: Object.fromEntries(new URLSearchParams(body)),
    });
    const response = new Response();
    try {
      await oauth.token(request, response);
    } catch (error) {
      return { status: error.code ?? 500, text: error.message };
    }
    return { status: response.status, text: JSON.stringify(response.body) };
  }

  async function obtainTokens(count) {
    const tokens = [];
    for (let i = 0; i < count; i++) {
      const { code, verifier } = await seedCode();
      const { status, text } = await token(codeExchangeBody(code, verifier));
      expectStatus("oauth2-server", "seed", status, 200, text);
      tokens.push(JSON.parse(text));
    }
    return tokens;
  }

  return {
    name: "oauth2-server",
    version,
    storage: counter,
    notes: [
      "`oauth.token()` / `oauth.authenticate()` with its own Request/Response; the form body parsed with `URLSearchParams` beforehand (a host's body parser), the response body serialised with `JSON.stringify`. Model written here: Maps, tokens kept as SHA-256 hashes, secret compared in constant time; storage calls are model method calls. Refresh rotation is its default (`alwaysIssueNewRefreshToken`). Bearer validation checks the scope through `verifyScope` (not counted as storage).",
    ],
    scenarios: {
      ...tokenScenarios("oauth2-server", { seedCode, obtainTokens, postToken: token }),
      bearer: {
        prepare: (count) => accessTokenPool(obtainTokens, count),
        async run(accessToken) {
          const request = new Request({ method: "GET", query: {}, headers: { authorization: `Bearer ${accessToken}` } });
          const token = await oauth.authenticate(request, new Response(), { scope: [SCOPE] });
          if (token.resource !== RESOURCE) throw new Error("oauth2-server bearer: wrong audience");
        },
      },
      register: null,
    },
    unavailable: { register: "no dynamic client registration" },
  };
}
