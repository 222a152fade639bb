/**
 * Client authentication (RFC 6749 §2.3) under generated `Authorization` headers and bodies: a
 * client is authenticated, or the answer is `invalid_client` (401) / `invalid_request` (400).
 */
import { encodeBase64 } from "@oslojs/encoding";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OAuthError, authenticateClient, parseBasicCredentials, parseParameters } from "../../src/index.js";
import { createTestServer, registerClient } from "../support/fixtures.js";
import { headerValue, hostileText, resolvesOrRejectsWithOAuthError } from "./support.js";

/** RFC 6749 §2.3.1: form-urlencode each half, join with ":", base64 the UTF-8 bytes. */
function basicHeader(clientId: string, secret: string, scheme = "Basic"): string {
  const encode = (value: string) => new URLSearchParams([["", value]]).toString().slice(1);
  return `${scheme} ${encodeBase64(new TextEncoder().encode(`${encode(clientId)}:${encode(secret)}`))}`;
}

describe("fuzz: Basic credentials (RFC 6749 §2.3.1)", () => {
  it("decode to what was encoded, for any id and secret and any spelling of the scheme", () => {
    const scheme = fc.constantFrom("Basic", "basic", "BASIC", "bAsIc");
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), fc.string({ unit: "binary", maxLength: 60 }), scheme, (clientId, secret, s) => {
        expect(parseBasicCredentials(basicHeader(clientId, secret, s))).toEqual({ kind: "basic", clientId, secret });
      }),
    );
  });

  it("classify any header as absent, malformed or credentials, without throwing", () => {
    fc.assert(
      fc.property(fc.oneof(headerValue, hostileText.map((t) => `Basic ${t}`), hostileText.map((t) => `Basic ${encodeBase64(new TextEncoder().encode(t))}`)), (header) => {
        const result = parseBasicCredentials(header);
        expect(["absent", "malformed", "basic"]).toContain(result.kind);
        if (result.kind === "basic") expect(result.clientId).not.toBe("");
        // Only the Basic scheme (any case) is ever read.
        if (!/^basic( |$)/i.test(header)) expect(result.kind).toBe("absent");
      }),
    );
  });
});

describe("fuzz: authenticateClient (RFC 6749 §2.3)", () => {
  it("authenticates nobody with generated credentials, answering only invalid_client (401) or invalid_request (400)", async () => {
    const t = createTestServer();
    const known = await registerClient(t.storage, { clientId: "known", secret: "known-secret" });
    const clientId = fc.oneof(fc.constant(known.clientId), hostileText);
    const header = fc.oneof(
      fc.constant(undefined),
      headerValue,
      fc.tuple(clientId, hostileText).map(([id, secret]) => basicHeader(id, secret)),
    );
    const body = fc.record(
      { client_id: clientId, client_secret: hostileText, other: hostileText },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(header, body, fc.constantFrom(undefined, ["client_secret_basic"] as const, ["none"] as const), async (authorization, fields, methods) => {
        const headers = new Headers();
        if (authorization !== undefined) headers.set("authorization", authorization);
        const result = await resolvesOrRejectsWithOAuthError(
          () =>
            authenticateClient(headers, parseParameters(new URLSearchParams(fields as Record<string, string>).toString()), {
              getClient: (id) => t.storage.getClient(id),
              ...(methods === undefined ? {} : { methods }),
            }),
          ["invalid_client", "invalid_request"],
        );
        expect(result).toBeInstanceOf(OAuthError);
        const error = result as OAuthError;
        expect(error.status).toBe(error.error === "invalid_client" ? 401 : 400);
        // RFC 6749 §5.2: a 401 invalid_client carries the challenge of the scheme the client may use.
        if (error.status === 401) expect(error.headers["WWW-Authenticate"]).toMatch(/^Basic realm="/);
      }),
    );
  });
});
