/**
 * Form bodies and query strings (RFC 6749 §3.1, §3.2) under generated input: parsing returns or
 * throws `invalid_request`, and what a conforming client encodes decodes to itself.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFormBody, parseParameters } from "../../src/index.js";
import { hostileText, resolvesOrRejectsWithOAuthError, returnsOrThrowsOAuthError } from "./support.js";

describe("fuzz: form parsing (RFC 6749 §3.1)", () => {
  it("parses any text or throws invalid_request, and never loses track of a parameter", () => {
    fc.assert(
      fc.property(fc.array(hostileText, { maxLength: 6 }).map((parts) => parts.join("&")), (text) => {
        const params = returnsOrThrowsOAuthError(() => parseParameters(text, ["resource"]), ["invalid_request"]);
        if (params instanceof Error) return;
        for (const name of params.repeated) expect(typeof name).toBe("string");
        // An empty value is absent (RFC 6749 §3.1): get() never answers "".
        expect(params.get("client_id")).not.toBe("");
        expect(params.getAll("resource")).not.toContain("");
      }),
    );
  });

  it("decodes what URLSearchParams encodes: distinct names round-trip, repeats are recorded (RFC 6749 §3.1)", () => {
    const name = fc.string({ unit: "binary", minLength: 1, maxLength: 12 }).filter((n) => n !== "resource");
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, fc.string({ unit: "binary", maxLength: 30 })), { selector: ([n]) => n, maxLength: 6 }), fc.array(fc.string({ unit: "binary", maxLength: 20 }), { maxLength: 3 }), (pairs, resources) => {
        const form = new URLSearchParams();
        for (const [n, v] of pairs) form.append(n, v);
        for (const r of resources) form.append("resource", r);
        const params = parseParameters(form.toString(), ["resource"]);
        for (const [n, v] of pairs) expect(params.get(n)).toBe(v === "" ? undefined : v);
        expect(params.getAll("resource")).toEqual(resources.filter((r) => r !== ""));
        expect(params.repeated).toEqual([]);
        if (pairs.length > 0) {
          const [first] = pairs[0]!;
          form.append(first, "again");
          expect(parseParameters(form.toString(), ["resource"]).repeated).toEqual([first]);
        }
      }),
    );
  });

  it("reads any POST body with any content type as parameters or a 4xx invalid_request (RFC 6749 §3.2)", async () => {
    const contentType = fc.oneof(
      fc.constant("application/x-www-form-urlencoded"),
      fc.constantFrom("application/x-www-form-urlencoded; charset=utf-8", "Application/X-WWW-Form-Urlencoded;charset=\"UTF-8\"", "application/x-www-form-urlencoded; charset=latin1", "application/json", "text/plain", ";;=", ""),
      fc.string({ unit: fc.constantFrom(..."application/x-www-form-urlencoded; charset=\"utf8\" "), maxLength: 60 }),
    );
    const body = fc.oneof(hostileText, fc.uint8Array({ maxLength: 200 }));
    await fc.assert(
      fc.asyncProperty(contentType, body, fc.boolean(), async (type, content, declareLength) => {
        const request = new Request("https://as.example.com/token", { method: "POST", headers: { "Content-Type": type }, body: content });
        if (!declareLength) request.headers.delete("content-length");
        const result = await resolvesOrRejectsWithOAuthError(() => parseFormBody(request, { maxBodyBytes: 150 }), ["invalid_request"]);
        if (result instanceof Error) expect([400, 413]).toContain(result.status);
      }),
    );
  });
});
