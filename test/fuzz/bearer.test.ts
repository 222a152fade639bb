/**
 * Bearer token validation (RFC 6750) under generated `Authorization` headers: the promise always
 * resolves — to the token's information, or to a 400/401 challenge — and never rejects.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AccessTokenRecord, hashTaggedToken, validateBearerToken } from "../../src/index.js";
import { headerValue } from "./support.js";

const NOW = 1_800_000_000;
const RESOURCE = "https://api.example.com/mcp";
// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const b64token = fc
  .tuple(fc.string({ unit: fc.constantFrom(..."ABCxyz0189-._~+/"), minLength: 1, maxLength: 60 }), fc.string({ unit: fc.constant("="), maxLength: 3 }))
  .map(([body, padding]) => body + padding);

/** The one call bearer validation makes, over a map (the memory store would want a grant too). */
function tokenStore(...tokens: string[]) {
  const records = new Map(tokens.map((token) => [hashTaggedToken(token), record(token)]));
  return { getAccessToken: async (hash: string) => records.get(hash) ?? null };
}

function record(token: string): AccessTokenRecord {
  return { tokenHash: hashTaggedToken(token), grantId: "g", clientId: "c", subject: "alice", scope: ["read"], audience: [RESOURCE], issuedAt: NOW, expiresAt: NOW + 60 };
}

describe("fuzz: bearer validation (RFC 6750 §2.1, §3.1)", () => {
  it("answers any Authorization header with token info or a 400/401 challenge, never a rejection", async () => {
    const storage = tokenStore();
    await fc.assert(
      fc.asyncProperty(fc.oneof(headerValue, headerValue.map((h) => `Bearer ${h}`), b64token.map((t) => `Bearer ${t}`)), async (header) => {
        const result = await validateBearerToken(new Request(RESOURCE, { headers: { Authorization: header } }), { storage, resource: RESOURCE, now: () => NOW });
        expect(result).toBeInstanceOf(Response);
        const response = result as Response;
        expect([400, 401]).toContain(response.status);
        expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(response.headers.get("cache-control")).toBe("no-store");
        if (response.status === 400) expect(await response.json()).toMatchObject({ error: "invalid_request" });
      }),
    );
  });

  it("accepts exactly the stored token, under any case of the scheme and surrounding spaces (RFC 9110 §11.1)", async () => {
    await fc.assert(
      fc.asyncProperty(b64token, b64token, fc.constantFrom("Bearer", "bearer", "BEARER", "bEaReR"), fc.constantFrom("", " ", "  "), async (token, other, scheme, pad) => {
        const storage = tokenStore(token);
        const validate = (value: string) => validateBearerToken(new Request(RESOURCE, { headers: { Authorization: `${scheme} ${pad}${value}${pad}` } }), { storage, resource: RESOURCE, now: () => NOW });
        expect(await validate(token)).toMatchObject({ subject: "alice", clientId: "c", scope: ["read"] });
        if (other !== token) expect(((await validate(other)) as Response).status).toBe(401);
      }),
      { numRuns: 100 },
    );
  });
});
