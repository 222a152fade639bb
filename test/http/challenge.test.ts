/** The one WWW-Authenticate builder (RFC 9110 §11.6.1, RFC 6750 §3): values are quoted-strings, escaped. */
import { describe, expect, it } from "vitest";
import { authenticateChallenge } from "../../src/http/challenge.js";
import { createAuthorizationServer, createMemoryStorage, validateBearerToken } from "../../src/index.js";

describe("authenticateChallenge (RFC 9110 §5.6.4 quoted-string)", () => {
  it("writes the scheme alone without parameters, and skips undefined ones", () => {
    expect(authenticateChallenge("Bearer")).toBe("Bearer");
    expect(authenticateChallenge("Bearer", [["realm", undefined], ["error", "invalid_token"]])).toBe('Bearer error="invalid_token"');
  });

  it("escapes quotes and backslashes as quoted-pairs, so a value cannot close its quotes", () => {
    expect(authenticateChallenge("Basic", [["realm", 'a"b\\c'], ["charset", "UTF-8"]])).toBe('Basic realm="a\\"b\\\\c", charset="UTF-8"');
  });

  it("replaces what a header cannot carry (CR, LF, controls, non-ASCII) instead of failing or splitting the header", () => {
    const value = authenticateChallenge("Bearer", [["realm", "x\r\nSet-Cookie: a=b"], ["error_description", "café\u0000"]]);
    expect(value).toBe('Bearer realm="x??Set-Cookie: a=b", error_description="caf??"');
    expect(() => new Headers({ "WWW-Authenticate": value })).not.toThrow();
  });

  it("a bearer challenge with a hostile realm stays one well-formed header (RFC 6750 §3)", async () => {
    const storage = createMemoryStorage();
    const response = await validateBearerToken(new Request("https://api.example.com/", { headers: { authorization: "Bearer abc" } }), {
      storage,
      resource: "https://api.example.com/",
      realm: 'api", error="forged',
    });
    expect((response as Response).headers.get("www-authenticate")).toBe(
      'Bearer realm="api\\", error=\\"forged", error="invalid_token", error_description="The access token is invalid or has expired."',
    );
  });

  it("the client-authentication challenge of a server is built the same way", async () => {
    const server = createAuthorizationServer({ issuer: "https://as.example.com", storage: createMemoryStorage() });
    const response = await server.handleTokenRequest(
      new Request("https://as.example.com/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa("nobody:x")}` },
        body: "grant_type=client_credentials",
      }),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="https://as.example.com", charset="UTF-8"');
  });
});
