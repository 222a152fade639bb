/**
 * ID-token verification against a cached JWKS (OpenID Connect Core §3.1.3.7, §10.1.1): the keys are
 * fetched once per JWKS_TTL_SECONDS, fetched again at once when a token is signed with a key the
 * cache lacks (rotation), once for all verifications that found the cache stale, and never cached
 * when the fetch failed.
 */
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { verifyIdToken } from "../../src/federation/id-token.js";
import { JWKS_TTL_SECONDS, type JsonWebKeyRecord, resolveUpstream } from "../../src/federation/upstream.js";

const ISSUER = "https://idp.example.com";
const JWKS_URI = `${ISSUER}/jwks`;
const CLIENT_ID = "downstream";
const NOW = 1_800_000_000;

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JsonWebKeyRecord;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return { kid, privateKey: pair.privateKey, jwk: { kty, crv, x, y, kid, use: "sig", alg: "ES256" } };
}

const encode = (value: unknown): string => encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(value)));

async function idToken(key: SigningKey, claims: Record<string, unknown> = {}): Promise<string> {
  const input = `${encode({ alg: "ES256", kid: key.kid, typ: "JWT" })}.${encode({ iss: ISSUER, aud: CLIENT_ID, sub: "alice", nonce: "n", iat: NOW, exp: NOW + 300, ...claims })}`;
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${encodeBase64urlNoPadding(new Uint8Array(signature))}`;
}

/** An upstream whose JWKS is `published` (changeable), counting the fetches of it. */
function upstreamServing(published: { keys: JsonWebKeyRecord[]; status?: number }) {
  const counts = { jwks: 0 };
  const upstream = resolveUpstream({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    clientSecret: "secret",
    fetch: async (request) => {
      if (new URL(request.url).pathname !== "/jwks") return new Response("not found", { status: 404 });
      counts.jwks++;
      return Response.json({ keys: published.keys }, { status: published.status ?? 200 });
    },
  });
  return { upstream, counts };
}

const expectations = (now = NOW) => ({ issuer: ISSUER, clientId: CLIENT_ID, nonce: "n", now });

describe("ID-token verification with a cached JWKS (OpenID Connect Core §10.1.1)", () => {
  it("fetches the keys once for many sign-ins, and again once they are older than JWKS_TTL_SECONDS", async () => {
    const key = await signingKey("k1");
    const { upstream, counts } = upstreamServing({ keys: [key.jwk] });
    for (let i = 0; i < 5; i++) expect((await verifyIdToken(upstream, JWKS_URI, await idToken(key), expectations(NOW + i))).sub).toBe("alice");
    expect(counts.jwks).toBe(1);
    await verifyIdToken(upstream, JWKS_URI, await idToken(key, { iat: NOW + JWKS_TTL_SECONDS, exp: NOW + JWKS_TTL_SECONDS + 300 }), expectations(NOW + JWKS_TTL_SECONDS));
    expect(counts.jwks).toBe(2);
  });

  it("a token signed with a key the cache lacks fetches the keys again at once (rotation), once for concurrent verifications", async () => {
    const [old, rotated] = [await signingKey("k1"), await signingKey("k2")];
    const published = { keys: [old.jwk] };
    const { upstream, counts } = upstreamServing(published);
    await verifyIdToken(upstream, JWKS_URI, await idToken(old), expectations());
    published.keys = [old.jwk, rotated.jwk];
    const tokens = await Promise.all(Array.from({ length: 5 }, () => idToken(rotated)));
    const claims = await Promise.all(tokens.map((token) => verifyIdToken(upstream, JWKS_URI, token, expectations())));
    expect(claims.every((c) => c.sub === "alice")).toBe(true);
    expect(counts.jwks).toBe(2);
    // The refreshed keys serve both keys from now on.
    await verifyIdToken(upstream, JWKS_URI, await idToken(old), expectations());
    expect(counts.jwks).toBe(2);
  });

  it("a token no published key verifies is refused after one refetch, never more per verification", async () => {
    const [published, stranger] = [await signingKey("k1"), await signingKey("k1")];
    const { upstream, counts } = upstreamServing({ keys: [published.jwk] });
    await expect(verifyIdToken(upstream, JWKS_URI, await idToken(stranger), expectations())).rejects.toMatchObject({
      code: "invalid_id_token",
      message: expect.stringContaining("does not verify"),
    });
    expect(counts.jwks).toBe(2);
    await expect(verifyIdToken(upstream, JWKS_URI, await idToken(stranger), expectations())).rejects.toMatchObject({ code: "invalid_id_token" });
    expect(counts.jwks).toBe(3);
  });

  it("a failed JWKS fetch is upstream_unavailable and is not cached: the next sign-in fetches again", async () => {
    const key = await signingKey("k1");
    const published: { keys: JsonWebKeyRecord[]; status?: number } = { keys: [], status: 503 };
    const { upstream, counts } = upstreamServing(published);
    await expect(verifyIdToken(upstream, JWKS_URI, await idToken(key), expectations())).rejects.toMatchObject({ code: "upstream_unavailable" });
    published.status = 200;
    published.keys = [key.jwk];
    expect((await verifyIdToken(upstream, JWKS_URI, await idToken(key), expectations())).sub).toBe("alice");
    expect(counts.jwks).toBe(2);
  });

  it("still checks the claims with cached keys: iss, aud, nonce, exp (Core §3.1.3.7)", async () => {
    const key = await signingKey("k1");
    const { upstream } = upstreamServing({ keys: [key.jwk] });
    await verifyIdToken(upstream, JWKS_URI, await idToken(key), expectations());
    for (const [claims, why] of [
      [{ iss: "https://evil.example.com" }, "iss"],
      [{ aud: "someone-else" }, "aud"],
      [{ nonce: "other" }, "nonce"],
      [{ exp: NOW - 120 }, "expired"],
    ] as const) {
      await expect(verifyIdToken(upstream, JWKS_URI, await idToken(key, claims), expectations())).rejects.toMatchObject({ message: expect.stringContaining(why) });
    }
  });
});
