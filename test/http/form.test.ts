import { describe, expect, it } from "vitest";
import { OAuthError, parseFormBody, parseParameters } from "../../src/index.js";
import { ISSUER, createTestServer, formRequest, registerClient } from "../support/fixtures.js";

const post = (body: BodyInit, contentType = "application/x-www-form-urlencoded", method = "POST") =>
  new Request(`${ISSUER}/token`, { method, headers: { "Content-Type": contentType }, ...(method === "GET" ? {} : { body }) });

async function tokenEndpoint(request: Request): Promise<{ status: number; body: { error?: string } }> {
  const { server } = createTestServer();
  const response = await server.handleTokenRequest(request);
  return { status: response.status, body: await response.json() };
}

describe("strict form parsing (RFC 6749 §3.1, §3.2)", () => {
  it("rejects a repeated parameter with invalid_request (RFC 6749 §3.1)", async () => {
    const result = await tokenEndpoint(post("grant_type=authorization_code&code=a&code=b"));
    expect(result).toEqual({ status: 400, body: expect.objectContaining({ error: "invalid_request" }) });
  });

  it("treats empty values as absent (RFC 6749 §3.1)", () => {
    const params = parseParameters("scope=&state=xyz");
    expect(params.get("scope")).toBeUndefined();
    expect(params.get("state")).toBe("xyz");
  });

  it("decodes + as space and percent-encoding", () => {
    expect(parseParameters("a=b+c%2Bd%20e").get("a")).toBe("b c+d e");
  });

  it("answers malformed percent-encoding with 400 invalid_request, never 5xx", async () => {
    expect(await tokenEndpoint(post("grant_type=%E0%A4%A"))).toEqual({ status: 400, body: expect.objectContaining({ error: "invalid_request" }) });
    expect(await tokenEndpoint(post("grant_type=%ZZ"))).toEqual({ status: 400, body: expect.objectContaining({ error: "invalid_request" }) });
  });

  it("answers percent-encoded invalid UTF-8 with 400 invalid_request", async () => {
    expect(await tokenEndpoint(post("grant_type=%C3%28"))).toEqual({ status: 400, body: expect.objectContaining({ error: "invalid_request" }) });
  });

  it("answers a raw invalid UTF-8 body with 400 invalid_request", async () => {
    const bytes = new Uint8Array([0x67, 0x3d, 0xff, 0xfe]);
    expect(await tokenEndpoint(post(bytes))).toEqual({ status: 400, body: expect.objectContaining({ error: "invalid_request" }) });
  });

  it("accepts only application/x-www-form-urlencoded (RFC 6749 §3.2), charset tolerated", async () => {
    expect(await tokenEndpoint(post('{"grant_type":"x"}', "application/json"))).toEqual({
      status: 400,
      body: expect.objectContaining({ error: "invalid_request" }),
    });
    // With a UTF-8 charset the body is read; the request then fails on its content, not its type.
    const charset = await tokenEndpoint(post("grant_type=password", "application/x-www-form-urlencoded; charset=UTF-8"));
    expect(charset.body.error).toBe("unsupported_grant_type");
    const latin1 = await tokenEndpoint(post("grant_type=password", "application/x-www-form-urlencoded; charset=ISO-8859-1"));
    expect(latin1).toEqual({ status: 400, body: expect.objectContaining({ error: "invalid_request" }) });
  });

  it("refuses other methods than POST with 405 and Allow (RFC 6749 §3.2)", async () => {
    const { server } = createTestServer();
    const response = await server.handleTokenRequest(post("", undefined, "GET"));
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect((await response.json()).error).toBe("invalid_request");
  });

  it("caps the body at 64 KiB by default with 413", async () => {
    const result = await tokenEndpoint(post(`grant_type=authorization_code&code=${"a".repeat(70 * 1024)}`));
    expect(result).toEqual({ status: 413, body: expect.objectContaining({ error: "invalid_request" }) });
  });

  it("caps a streamed body without Content-Length", async () => {
    const chunk = new TextEncoder().encode("a".repeat(1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const request = new Request(`${ISSUER}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expect(parseFormBody(request, { maxBodyBytes: 10 * 1024 })).rejects.toMatchObject({ error: "invalid_request", status: 413 });
  });

  it("reads a body with a declared length, and re-checks the cap if the header understated it", async () => {
    const request = (body: string, length: number) =>
      new Request(`${ISSUER}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(length) },
        body,
      });
    expect((await parseFormBody(request("a=1&b=2", 7))).get("b")).toBe("2");
    await expect(parseFormBody(request("a=123456789", 3), { maxBodyBytes: 5 })).rejects.toMatchObject({ status: 413 });
    await expect(parseFormBody(request("a=1", 9999), { maxBodyBytes: 5 })).rejects.toMatchObject({ status: 413 });
  });

  it("has a configurable cap", async () => {
    const { server, storage } = createTestServer({ maxBodyBytes: 100 });
    await registerClient(storage);
    const response = await server.handleTokenRequest(formRequest(`${ISSUER}/token`, { grant_type: "authorization_code", code: "x".repeat(200) }));
    expect(response.status).toBe(413);
  });

  it("throws OAuthError, not a generic error, from parseFormBody", async () => {
    await expect(parseFormBody(post("a=1&a=2"))).rejects.toBeInstanceOf(OAuthError);
  });
});
