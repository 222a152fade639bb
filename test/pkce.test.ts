import { describe, expect, it } from "vitest";
import { isValidCodeChallenge, isValidCodeVerifier, verifyCodeVerifier } from "../src/index.js";
import {
  RFC7636_CHALLENGE,
  RFC7636_VERIFIER,
  authorizeUrl,
  createTestServer,
  exchangeCode,
  obtainCode,
  registerClient,
} from "./support/fixtures.js";

describe("PKCE verifier (RFC 7636)", () => {
  it("verifies the RFC 7636 Appendix B example", () => {
    expect(verifyCodeVerifier({ verifier: RFC7636_VERIFIER, challenge: RFC7636_CHALLENGE, method: "S256" })).toBe(true);
  });

  it("rejects a wrong verifier (RFC 7636 §4.6)", () => {
    const other = "A".repeat(43);
    expect(verifyCodeVerifier({ verifier: other, challenge: RFC7636_CHALLENGE, method: "S256" })).toBe(false);
  });

  it("checks the verifier grammar: 43–128 unreserved characters (RFC 7636 §4.1)", () => {
    expect(isValidCodeVerifier("a".repeat(42))).toBe(false);
    expect(isValidCodeVerifier("a".repeat(43))).toBe(true);
    expect(isValidCodeVerifier("a".repeat(128))).toBe(true);
    expect(isValidCodeVerifier("a".repeat(129))).toBe(false);
    expect(isValidCodeVerifier(`${"a".repeat(42)}+`)).toBe(false);
    expect(isValidCodeVerifier(`${"a".repeat(40)}-._~`)).toBe(true);
    // A verifier outside the grammar never verifies, even against its own "plain" challenge.
    expect(verifyCodeVerifier({ verifier: "short", challenge: "short", method: "plain" })).toBe(false);
  });

  it("checks the challenge grammar (RFC 7636 §4.2)", () => {
    expect(isValidCodeChallenge(RFC7636_CHALLENGE, "S256")).toBe(true);
    expect(isValidCodeChallenge(`${RFC7636_CHALLENGE}=`, "S256")).toBe(false);
    expect(isValidCodeChallenge(RFC7636_CHALLENGE.slice(1), "S256")).toBe(false);
    expect(isValidCodeChallenge("a".repeat(43), "plain")).toBe(true);
  });

  it("supports plain only when enabled, and compares it exactly", () => {
    const verifier = "b".repeat(50);
    expect(verifyCodeVerifier({ verifier, challenge: verifier, method: "plain" })).toBe(true);
    expect(verifyCodeVerifier({ verifier, challenge: "c".repeat(50), method: "plain" })).toBe(false);
  });
});

describe("PKCE at the endpoints (RFC 7636 §4.4, §4.6; OAuth 2.1 §4.1.1)", () => {
  async function authorize(overrides: Record<string, string | undefined>, config = {}, method: "none" | "client_secret_basic" = "none") {
    const t = createTestServer(config);
    const client = await registerClient(t.storage, { method });
    const result = await t.server.parseAuthorizationRequest(
      new Request(
        authorizeUrl({
          response_type: "code",
          client_id: client.clientId,
          redirect_uri: client.record.redirect_uris[0],
          state: "s",
          code_challenge: RFC7636_CHALLENGE,
          code_challenge_method: "S256",
          ...overrides,
        }),
      ),
    );
    return result instanceof Response ? new URL(result.headers.get("location")!).searchParams : result;
  }

  it("requires a code_challenge from every client by default (OAuth 2.1)", async () => {
    const pub = await authorize({ code_challenge: undefined, code_challenge_method: undefined });
    expect(pub).toBeInstanceOf(URLSearchParams);
    expect((pub as URLSearchParams).get("error")).toBe("invalid_request");
    const confidential = await authorize({ code_challenge: undefined, code_challenge_method: undefined }, {}, "client_secret_basic");
    expect((confidential as URLSearchParams).get("error")).toBe("invalid_request");
  });

  it("can require PKCE of public clients only", async () => {
    const confidential = await authorize(
      { code_challenge: undefined, code_challenge_method: undefined },
      { pkce: { required: "public-clients" } },
      "client_secret_basic",
    );
    expect(confidential).not.toBeInstanceOf(URLSearchParams);
    const pub = await authorize({ code_challenge: undefined, code_challenge_method: undefined }, { pkce: { required: "public-clients" } });
    expect((pub as URLSearchParams).get("error")).toBe("invalid_request");
  });

  it("refuses plain by default, and a missing method (which means plain, RFC 7636 §4.3)", async () => {
    const plain = await authorize({ code_challenge: "a".repeat(43), code_challenge_method: "plain" });
    expect((plain as URLSearchParams).get("error")).toBe("invalid_request");
    const missing = await authorize({ code_challenge: "a".repeat(43), code_challenge_method: undefined });
    expect((missing as URLSearchParams).get("error")).toBe("invalid_request");
  });

  it("accepts plain when explicitly enabled", async () => {
    const result = await authorize({ code_challenge: "a".repeat(43), code_challenge_method: "plain" }, { pkce: { methods: ["S256", "plain"] } });
    expect(result).toMatchObject({ codeChallengeMethod: "plain" });
  });

  it("refuses a malformed S256 challenge (RFC 7636 §4.2)", async () => {
    const result = await authorize({ code_challenge: "too-short" });
    expect((result as URLSearchParams).get("error")).toBe("invalid_request");
  });

  it("refuses a token request without the verifier, or with a wrong one, as invalid_grant (RFC 7636 §4.6)", async () => {
    const t = createTestServer();
    const client = await registerClient(t.storage);
    const missing = await exchangeCode(t.server, client, await obtainCode(t.server, client), { code_verifier: "" });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toBe("invalid_grant");
    const wrong = await exchangeCode(t.server, client, await obtainCode(t.server, client), { code_verifier: "x".repeat(43) });
    expect((await wrong.json()).error).toBe("invalid_grant");
  });

  it("refuses a verifier when the authorization request had no challenge (RFC 9700 §2.1.1)", async () => {
    const t = createTestServer({ pkce: { required: "public-clients" } });
    const client = await registerClient(t.storage);
    const parsed = await t.server.parseAuthorizationRequest(
      new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, redirect_uri: client.record.redirect_uris[0] })),
    );
    if (parsed instanceof Response) throw new Error("unexpected refusal");
    const redirect = await t.server.issueAuthorizationCode(parsed, { subject: "u" });
    const code = new URL(redirect.headers.get("location")!).searchParams.get("code")!;
    const response = await exchangeCode(t.server, client, code);
    expect((await response.json()).error).toBe("invalid_grant");
  });
});

describe("PKCE grammars: which one applies where (RFC 7636 §4.1, §4.2)", () => {
  it("checks an S256 challenge against the 43-character base64url grammar, whole string only (§4.2)", () => {
    for (const challenge of [RFC7636_CHALLENGE, "A".repeat(43), "_".repeat(43), "-".repeat(43), `${"a".repeat(42)}9`]) {
      expect(isValidCodeChallenge(challenge, "S256")).toBe(true);
    }
    // Not base64url, padded, too long, too short, or with anything before or after.
    for (const challenge of [`${"a".repeat(42)}+`, `${"a".repeat(42)}/`, `${"a".repeat(42)}~`, `${"a".repeat(42)}.`, `=${RFC7636_CHALLENGE}`, `${RFC7636_CHALLENGE}a`, " ".repeat(43), "", "a".repeat(42), `${RFC7636_CHALLENGE}\n`]) {
      expect(isValidCodeChallenge(challenge, "S256")).toBe(false);
    }
  });

  it("checks a plain challenge against the verifier grammar instead: 43 to 128 unreserved characters (§4.2)", () => {
    // Valid plain challenges that are not S256 challenges, and the reverse.
    for (const challenge of ["a".repeat(44), "a".repeat(128), `${"a".repeat(42)}~`, `${"a".repeat(42)}.`]) {
      expect(isValidCodeChallenge(challenge, "plain")).toBe(true);
      expect(isValidCodeChallenge(challenge, "S256")).toBe(false);
    }
    for (const challenge of ["a".repeat(42), "a".repeat(129), `${"a".repeat(42)}+`, `${"a".repeat(42)}/`, `${"a".repeat(43)}=`, `=${"a".repeat(43)}`, ""]) {
      expect(isValidCodeChallenge(challenge, "plain")).toBe(false);
    }
  });

  it("checks the whole verifier, and every unreserved character is allowed (§4.1)", () => {
    for (const verifier of ["A".repeat(43), "Z".repeat(43), "0".repeat(43), "9".repeat(43), "-".repeat(43), ".".repeat(43), "_".repeat(43), "~".repeat(43), "z".repeat(43)]) {
      expect(isValidCodeVerifier(verifier)).toBe(true);
    }
    for (const verifier of [` ${"a".repeat(43)}`, `${"a".repeat(43)} `, `${"a".repeat(43)}\n`, `${"a".repeat(43)}=`, `+${"a".repeat(43)}`, "é".repeat(43), "/".repeat(43)]) {
      expect(isValidCodeVerifier(verifier)).toBe(false);
    }
  });

  it("derives the S256 challenge from the verifier and compares it, not the verifier itself (§4.6)", () => {
    // The verifier presented as its own S256 challenge must fail: only BASE64URL(SHA256(verifier)) matches.
    expect(verifyCodeVerifier({ verifier: RFC7636_VERIFIER, challenge: RFC7636_VERIFIER, method: "S256" })).toBe(false);
    expect(verifyCodeVerifier({ verifier: RFC7636_VERIFIER, challenge: RFC7636_CHALLENGE, method: "plain" })).toBe(false);
    expect(verifyCodeVerifier({ verifier: `${RFC7636_VERIFIER}a`, challenge: RFC7636_CHALLENGE, method: "S256" })).toBe(false);
  });

  it("refuses at the authorization endpoint a plain challenge that only the S256 grammar would take, and the reverse (§4.2)", async () => {
    const t = createTestServer({ pkce: { methods: ["S256", "plain"] } });
    const client = await registerClient(t.storage, { method: "none" });
    const parse = async (code_challenge: string, code_challenge_method: string) => {
      const result = await t.server.parseAuthorizationRequest(
        new Request(authorizeUrl({ response_type: "code", client_id: client.clientId, redirect_uri: client.record.redirect_uris[0], state: "s", code_challenge, code_challenge_method })),
      );
      return result instanceof Response ? new URL(result.headers.get("location")!).searchParams.get("error_description") : result.codeChallengeMethod;
    };
    expect(await parse("a".repeat(100), "plain")).toBe("plain");
    expect(await parse("a".repeat(100), "S256")).toBe("The code_challenge is malformed (RFC 7636 §4.2).");
    expect(await parse(`${"a".repeat(42)}+`, "plain")).toBe("The code_challenge is malformed (RFC 7636 §4.2).");
  });
});
