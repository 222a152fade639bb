/**
 * OpenID Connect ID-token validation (Core §3.1.3.7): the JWS compact form parsed with
 * `@oslojs/encoding`, its signature verified with WebCrypto against the upstream's JWKS (RS256,
 * PS256, ES256), then `iss`, `aud`, `azp`, `exp`, `iat` and `nonce`.
 *
 * @module
 */
import { decodeBase64urlIgnorePadding } from "@oslojs/encoding";
import { type ResolvedUpstream, UpstreamError } from "./upstream.js";

/** The claims oauthkit reads from a verified ID token; every other claim is kept as given. */
export interface IdTokenClaims {
  /** Issuer. */
  iss: string;
  /** Subject: the upstream's stable identifier of the user. */
  sub: string;
  /** Audience. */
  aud: string | string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** The nonce of the authorization request. */
  nonce?: string;
  /** Any other claim. */
  [claim: string]: unknown;
}

/** What an ID token is checked against. */
export interface IdTokenExpectations {
  /** The upstream issuer (`iss` must equal it). */
  issuer: string;
  /** Our client id at the upstream (`aud` must include it; `azp` must be it when present). */
  clientId: string;
  /** The nonce sent in the authorization request. */
  nonce: string;
  /** The clock, seconds since the epoch. */
  now: number;
  /** Seconds of clock skew tolerated (default 60). */
  skew?: number;
}

const ALGORITHMS: Record<string, { import: RsaHashedImportParams | EcKeyImportParams; verify: AlgorithmIdentifier | RsaPssParams | EcdsaParams; kty: string }> = {
  RS256: { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verify: { name: "RSASSA-PKCS1-v1_5" }, kty: "RSA" },
  PS256: { import: { name: "RSA-PSS", hash: "SHA-256" }, verify: { name: "RSA-PSS", saltLength: 32 } as RsaPssParams, kty: "RSA" },
  ES256: { import: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams, kty: "EC" },
};

const invalid = (why: string): UpstreamError => new UpstreamError("invalid_id_token", `The upstream ID token is invalid: ${why}.`);

function decodeJson(part: string): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(part))) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // refused below
  }
  throw invalid("not a JWS compact serialization");
}

/**
 * Verifies an ID token and returns its claims.
 *
 * @throws {UpstreamError} `invalid_id_token` naming the failed check (never the token), or
 *   `upstream_unavailable` when the JWKS cannot be fetched.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 */
export async function verifyIdToken(upstream: ResolvedUpstream, jwksUri: string | undefined, token: string, expect: IdTokenExpectations): Promise<IdTokenClaims> {
  const parts = token.split(".");
  if (parts.length !== 3) throw invalid("not a JWS compact serialization");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  const algorithm = typeof header["alg"] === "string" ? ALGORITHMS[header["alg"]] : undefined;
  // "none" and HMAC algorithms are refused: the signature must come from the upstream's key pair.
  if (algorithm === undefined) throw invalid(`unsupported alg ${String(header["alg"])}`);
  if (jwksUri === undefined) throw invalid("the upstream publishes no jwks_uri");
  const kid = typeof header["kid"] === "string" ? header["kid"] : undefined;
  let signature: Uint8Array;
  try {
    signature = decodeBase64urlIgnorePadding(signaturePart);
  } catch {
    throw invalid("malformed signature");
  }
  const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  const verifiesWith = async (keys: Array<Record<string, unknown>>): Promise<boolean> => {
    const candidates = keys.filter((key) => key["kty"] === algorithm.kty && (kid === undefined || key["kid"] === kid) && (key["use"] === undefined || key["use"] === "sig"));
    for (const jwk of candidates) {
      try {
        const { alg: _alg, key_ops: _ops, ...material } = jwk;
        const key = await crypto.subtle.importKey("jwk", material as JsonWebKey, algorithm.import, false, ["verify"]);
        if (await crypto.subtle.verify(algorithm.verify, key, signature as Uint8Array<ArrayBuffer>, signed)) return true;
      } catch {
        // a key of another shape: try the next
      }
    }
    return false;
  };
  // The cached keys first; if they do not verify, the upstream may have rotated its keys (Core
  // §10.1.1): fetch them once more, shared by every verification that found the same cache stale.
  const cached = upstream.jwks(jwksUri, expect.now);
  let verified = await verifiesWith(await cached);
  if (!verified) {
    const fresh = upstream.jwks(jwksUri, expect.now, cached);
    if (fresh !== cached) verified = await verifiesWith(await fresh);
  }
  if (!verified) throw invalid("the signature does not verify with the upstream's keys");
  const claims = decodeJson(payloadPart);
  const skew = expect.skew ?? 60;
  if (claims["iss"] !== expect.issuer) throw invalid("iss is not the upstream issuer");
  const audience = claims["aud"];
  const audiences = typeof audience === "string" ? [audience] : Array.isArray(audience) ? audience : [];
  if (!audiences.includes(expect.clientId)) throw invalid("aud does not include our client id");
  if (claims["azp"] !== undefined && claims["azp"] !== expect.clientId) throw invalid("azp is not our client id");
  if (typeof claims["exp"] !== "number" || claims["exp"] + skew <= expect.now) throw invalid("it has expired");
  if (typeof claims["iat"] !== "number" || claims["iat"] - skew > expect.now) throw invalid("iat is in the future");
  if (claims["nonce"] !== expect.nonce) throw invalid("nonce does not match the authorization request");
  if (typeof claims["sub"] !== "string" || claims["sub"] === "") throw invalid("sub is missing");
  return claims as IdTokenClaims;
}
