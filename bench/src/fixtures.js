/**
 * What every contender is configured with, so that each one does the same protocol work: one
 * confidential client authenticating with client_secret_basic, one redirect URI, one resource
 * (RFC 8707) and the scope `api`.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64, encodeBase64urlNoPadding } from "@oslojs/encoding";

export const ISSUER = "http://localhost:3000";
export const TOKEN_URL = `${ISSUER}/token`;
export const REDIRECT_URI = "http://localhost:8080/callback";
export const RESOURCE = "http://localhost:4000/mcp";
export const SCOPE = "api";
export const CLIENT_ID = "bench-client";
export const CLIENT_SECRET = "bench-secret-Zq4x7Jm2Vn8Rk1Lp5Ws9Ty3Hb6Fd0Gc";
export const SUBJECT = "user-1";

/** RFC 6749 §2.3.1: form-urlencoded id and secret, base64 in Basic. Both are plain token characters here. */
export const BASIC_AUTHORIZATION = `Basic ${encodeBase64(new TextEncoder().encode(`${CLIENT_ID}:${CLIENT_SECRET}`))}`;

/** The registration request of the dynamic client registration scenario (RFC 7591 §2). */
export const REGISTRATION_BODY = JSON.stringify({
  redirect_uris: [REDIRECT_URI],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_basic",
  client_name: "Bench client",
});

const encoder = new TextEncoder();

/** A fresh PKCE pair (RFC 7636 §4.1, §4.2: S256). */
export function pkcePair() {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  const verifier = encodeBase64urlNoPadding(bytes);
  const challenge = encodeBase64urlNoPadding(sha256(encoder.encode(verifier)));
  return { verifier, challenge };
}

/** The form body of an authorization-code token request. */
export function codeExchangeBody(code, verifier) {
  return `grant_type=authorization_code&code=${encodeURIComponent(code)}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${verifier}`;
}

/** The form body of a refresh request. */
export function refreshBody(refreshToken) {
  return `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}`;
}

/** Headers of a form POST with Basic client authentication. */
export function formHeaders(body) {
  return {
    authorization: BASIC_AUTHORIZATION,
    "content-type": "application/x-www-form-urlencoded",
    "content-length": String(Buffer.byteLength(body)),
  };
}

/** Throws with the response body when a contender answered something other than expected. */
export function expectStatus(contender, scenario, status, expected, body) {
  if (status !== expected) {
    throw new Error(`${contender} ${scenario}: expected HTTP ${expected}, got ${status}: ${String(body).slice(0, 300)}`);
  }
}

/**
 * The exchange and refresh scenarios, which every library contender drives the same way: codes
 * seeded through its own API before timing, each run one token request through `postToken`.
 */
export function tokenScenarios(name, { seedCode, obtainTokens, postToken }) {
  return {
    exchange: {
      async prepare(count) {
        const items = [];
        for (let i = 0; i < count; i++) items.push(await seedCode());
        return items;
      },
      async run({ code, verifier }) {
        const { status, text } = await postToken(codeExchangeBody(code, verifier));
        expectStatus(name, "exchange", status, 200, text);
      },
    },
    refresh: {
      prepare: async (count) => (await obtainTokens(count)).map((t) => t.refresh_token),
      async run(refreshToken) {
        const { status, text } = await postToken(refreshBody(refreshToken));
        expectStatus(name, "refresh", status, 200, text);
      },
    },
  };
}

/** `count` access tokens for the bearer scenario, drawn from a pool of at most 64 real ones. */
export async function accessTokenPool(obtainTokens, count) {
  const pool = (await obtainTokens(Math.min(count, 64))).map((t) => t.access_token);
  return Array.from({ length: count }, (_, i) => pool[i % pool.length]);
}
