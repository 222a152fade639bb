/**
 * The floor: the irreducible work of a correct endpoint on Web Request/Response, with Maps for
 * storage and nothing else. No framework, no configuration, no error shapes beyond a status:
 * what no real server can go below.
 *
 * Token endpoint: parse the form body, decode Basic, hash the secret and compare it in constant
 * time, take the code from a Map (single use), check its client and redirect_uri, verify PKCE
 * S256, generate two random tokens and hash them, store them, answer JSON with no-store.
 * Bearer: hash the token, one Map lookup, check expiry and audience.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64 } from "@oslojs/encoding";
import {
  CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, REGISTRATION_BODY, RESOURCE, SCOPE, SUBJECT, TOKEN_URL,
  codeExchangeBody, expectStatus, formHeaders, pkcePair, refreshBody,
} from "../fixtures.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ALPHABET = new TextEncoder().encode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

/**
 * base64url without padding, written as ASCII codes and decoded once: a flat string in one pass,
 * the fastest encoding measured here (a character-at-a-time string is a rope that every Map lookup
 * must flatten; `btoa` needs three replacements after it).
 */
function encodeBase64urlNoPadding(bytes) {
  const out = new Uint8Array(Math.ceil((bytes.length * 4) / 3));
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const group = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ALPHABET[group >> 18];
    out[o++] = ALPHABET[(group >> 12) & 63];
    out[o++] = ALPHABET[(group >> 6) & 63];
    out[o++] = ALPHABET[group & 63];
  }
  if (i < bytes.length) {
    const group = (bytes[i] << 16) | (i + 1 < bytes.length ? bytes[i + 1] << 8 : 0);
    out[o++] = ALPHABET[group >> 18];
    out[o++] = ALPHABET[(group >> 12) & 63];
    if (i + 1 < bytes.length) out[o++] = ALPHABET[(group >> 6) & 63];
  }
  return decoder.decode(out);
}

const hash = (value) => encodeBase64urlNoPadding(sha256(encoder.encode(value)));

function randomToken() {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return encodeBase64urlNoPadding(bytes);
}

function equalStrings(a, b) {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.length === right.length && constantTimeEqual(left, right);
}

const NO_STORE = { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" };
const fail = (status, error) => new Response(JSON.stringify({ error }), { status, headers: NO_STORE });

export async function createContender() {
  let calls = 0;
  const clients = new Map(); // client_id -> { secretHash }
  const codes = new Map(); // code hash -> record
  const refreshTokens = new Map(); // refresh hash -> grant
  const accessTokens = new Map(); // access hash -> record
  const store = {
    getClient: (id) => (calls++, clients.get(id)),
    takeCode: (codeHash) => {
      calls++;
      const record = codes.get(codeHash);
      if (record !== undefined) codes.delete(codeHash);
      return record;
    },
    createGrant: (refreshHash, grant, accessHash, access) => {
      calls++;
      refreshTokens.set(refreshHash, grant);
      accessTokens.set(accessHash, access);
    },
    getGrantByRefreshToken: (refreshHash) => (calls++, refreshTokens.get(refreshHash)),
    rotate: (oldHash, newHash, grant, accessHash, access) => {
      calls++;
      if (refreshTokens.get(oldHash) !== grant) return false;
      refreshTokens.delete(oldHash);
      refreshTokens.set(newHash, grant);
      accessTokens.set(accessHash, access);
      return true;
    },
    getAccessToken: (accessHash) => (calls++, accessTokens.get(accessHash)),
    createClient: (id, record) => (calls++, clients.set(id, record)),
  };
  clients.set(CLIENT_ID, { secretHash: hash(CLIENT_SECRET), redirectUris: [REDIRECT_URI] });

  /** Shared by both grants: form body and Basic client authentication. */
  async function authenticate(request) {
    if (request.method !== "POST") return fail(405, "invalid_request");
    if (request.headers.get("content-type") !== "application/x-www-form-urlencoded") return fail(400, "invalid_request");
    const params = new URLSearchParams(await request.text());
    const authorization = request.headers.get("authorization") ?? "";
    if (!authorization.startsWith("Basic ")) return fail(401, "invalid_client");
    const decoded = decoder.decode(decodeBase64(authorization.slice(6)));
    const colon = decoded.indexOf(":");
    if (colon === -1) return fail(401, "invalid_client");
    const clientId = decodeURIComponent(decoded.slice(0, colon));
    const client = store.getClient(clientId);
    if (client === undefined || !equalStrings(hash(decodeURIComponent(decoded.slice(colon + 1))), client.secretHash)) {
      return fail(401, "invalid_client");
    }
    return { clientId, params };
  }

  function issue(clientId, grant, now) {
    const accessToken = randomToken();
    const refreshToken = randomToken();
    const access = { clientId, subject: grant.subject, scope: grant.scope, audience: grant.resource, expiresAt: now + 3600 };
    return { accessToken, refreshToken, accessHash: hash(accessToken), refreshHash: hash(refreshToken), access };
  }

  function tokenResponse(tokens) {
    const body = { access_token: tokens.accessToken, token_type: "Bearer", expires_in: 3600, scope: SCOPE, refresh_token: tokens.refreshToken };
    return new Response(JSON.stringify(body), { headers: NO_STORE });
  }

  async function exchange(request) {
    const auth = await authenticate(request);
    if (auth instanceof Response) return auth;
    const { clientId, params } = auth;
    if (params.get("grant_type") !== "authorization_code") return fail(400, "unsupported_grant_type");
    const code = store.takeCode(hash(params.get("code") ?? ""));
    const now = Math.floor(Date.now() / 1000);
    const verifier = params.get("code_verifier") ?? "";
    if (
      code === undefined || code.clientId !== clientId || code.expiresAt <= now ||
      params.get("redirect_uri") !== code.redirectUri || !equalStrings(hash(verifier), code.codeChallenge)
    ) {
      return fail(400, "invalid_grant");
    }
    const grant = { clientId, subject: code.subject, scope: code.scope, resource: code.resource };
    const tokens = issue(clientId, grant, now);
    store.createGrant(tokens.refreshHash, grant, tokens.accessHash, tokens.access);
    return tokenResponse(tokens);
  }

  async function refresh(request) {
    const auth = await authenticate(request);
    if (auth instanceof Response) return auth;
    const { clientId, params } = auth;
    if (params.get("grant_type") !== "refresh_token") return fail(400, "unsupported_grant_type");
    const presentedHash = hash(params.get("refresh_token") ?? "");
    const grant = store.getGrantByRefreshToken(presentedHash);
    if (grant === undefined || grant.clientId !== clientId) return fail(400, "invalid_grant");
    const now = Math.floor(Date.now() / 1000);
    const tokens = issue(clientId, grant, now);
    if (!store.rotate(presentedHash, tokens.refreshHash, grant, tokens.accessHash, tokens.access)) return fail(400, "invalid_grant");
    return tokenResponse(tokens);
  }

  /** Returns the token's record, or the 401 to send (RFC 6750 §3). */
  async function validateBearer(request) {
    const authorization = request.headers.get("authorization") ?? "";
    if (!authorization.startsWith("Bearer ")) return new Response(null, { status: 401, headers: { "www-authenticate": "Bearer" } });
    const record = store.getAccessToken(hash(authorization.slice(7)));
    const now = Math.floor(Date.now() / 1000);
    if (record === undefined || record.expiresAt <= now || !record.audience.includes(RESOURCE) || !record.scope.includes(SCOPE)) {
      return new Response(null, { status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } });
    }
    return record;
  }

  /** RFC 7591 at its smallest: parse, check the redirect URIs, mint id and secret, store the hash. */
  async function register(request) {
    let metadata;
    try {
      metadata = JSON.parse(await request.text());
    } catch {
      return fail(400, "invalid_client_metadata");
    }
    if (!Array.isArray(metadata.redirect_uris) || metadata.redirect_uris.length === 0) return fail(400, "invalid_redirect_uri");
    for (const uri of metadata.redirect_uris) {
      if (typeof uri !== "string" || !URL.canParse(uri)) return fail(400, "invalid_redirect_uri");
    }
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const clientId = encodeBase64urlNoPadding(bytes);
    const secret = randomToken();
    const issuedAt = Math.floor(Date.now() / 1000);
    store.createClient(clientId, { secretHash: hash(secret), redirectUris: metadata.redirect_uris });
    const body = { ...metadata, client_id: clientId, client_secret: secret, client_id_issued_at: issuedAt, client_secret_expires_at: 0 };
    return new Response(JSON.stringify(body), { status: 201, headers: NO_STORE });
  }

  // Seeding, outside the timed section: codes straight into the Map, as an authorization
  // endpoint would have put them.
  function seedCode() {
    const { verifier, challenge } = pkcePair();
    const code = randomToken();
    codes.set(hash(code), {
      clientId: CLIENT_ID, redirectUri: REDIRECT_URI, codeChallenge: challenge, subject: SUBJECT,
      scope: [SCOPE], resource: [RESOURCE], expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    return { code, verifier };
  }

  async function post(handler, body, headers = formHeaders(body)) {
    const response = await handler(new Request(TOKEN_URL, { method: "POST", headers, body }));
    return { status: response.status, text: await response.text() };
  }

  async function obtainTokens(count) {
    const tokens = [];
    for (let i = 0; i < count; i++) {
      const { code, verifier } = seedCode();
      const { status, text } = await post(exchange, codeExchangeBody(code, verifier));
      expectStatus("floor", "seed", status, 200, text);
      tokens.push(JSON.parse(text));
    }
    return tokens;
  }

  return {
    name: "floor",
    version: "—",
    storage: { reset: () => (calls = 0), total: () => calls },
    scenarios: {
      exchange: {
        prepare: async (count) => Array.from({ length: count }, seedCode),
        async run({ code, verifier }) {
          const { status, text } = await post(exchange, codeExchangeBody(code, verifier));
          expectStatus("floor", "exchange", status, 200, text);
        },
      },
      refresh: {
        prepare: async (count) => (await obtainTokens(count)).map((t) => t.refresh_token),
        async run(refreshToken) {
          const { status, text } = await post(refresh, refreshBody(refreshToken));
          expectStatus("floor", "refresh", status, 200, text);
        },
      },
      bearer: {
        prepare: async (count) => {
          const pool = (await obtainTokens(Math.min(count, 64))).map((t) => t.access_token);
          return Array.from({ length: count }, (_, i) => pool[i % pool.length]);
        },
        async run(accessToken) {
          const result = await validateBearer(new Request(`${RESOURCE}`, { headers: { authorization: `Bearer ${accessToken}` } }));
          if (result instanceof Response) expectStatus("floor", "bearer", result.status, 200, "");
        },
      },
      register: {
        prepare: async (count) => Array.from({ length: count }, () => REGISTRATION_BODY),
        async run(body) {
          const { status, text } = await post(register, body, { "content-type": "application/json" });
          expectStatus("floor", "register", status, 201, text);
        },
      },
    },
  };
}
