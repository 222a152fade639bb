/**
 * The token hook (issue 12): at the code exchange and every refresh the host may replace the
 * grant's props, narrow the access token's scope and shorten its lifetime (RFC 6749 §5.1).
 */
import { describe, expect, it } from "vitest";
import type { TokenHookInput } from "../src/grants/token-hook.js";
import { RESOURCE, createTestServer, exchangeCode, obtainCode, registerClient, tokenRequest } from "./support/fixtures.js";

const bearer = (token: string) => new Request(RESOURCE, { headers: { Authorization: `Bearer ${token}` } });

describe("tokenHook at the token endpoint", () => {
  it("replaces props, narrows scope and shortens the lifetime at the code exchange and at every refresh", async () => {
    const calls: TokenHookInput[] = [];
    const t = createTestServer({
      tokenHook: (input) => {
        calls.push(input);
        const n = Number(input.props?.["n"] ?? 0);
        return { props: { n: n + 1 }, scope: ["read"], accessTokenLifetime: 100 };
      },
    });
    const client = await registerClient(t.storage);
    const first = await exchangeCode(t.server, client, await obtainCode(t.server, client, { props: { n: 0 } }));
    const issued = (await first.json()) as { access_token: string; refresh_token: string; expires_in: number; scope: string };
    expect(issued).toMatchObject({ expires_in: 100, scope: "read" });
    expect(calls[0]).toEqual({ grantType: "authorization_code", clientId: client.clientId, subject: "user-1", scope: ["read", "write"], props: { n: 0 } });
    expect(await t.server.validateBearerToken(bearer(issued.access_token))).toMatchObject({ props: { n: 1 }, scope: ["read"] });

    const refreshed = (await (await t.server.handleTokenRequest(tokenRequest(client, { grant_type: "refresh_token", refresh_token: issued.refresh_token }))).json()) as {
      access_token: string;
      expires_in: number;
    };
    expect(refreshed.expires_in).toBe(100);
    expect(calls[1]).toMatchObject({ grantType: "refresh_token", props: { n: 1 } });
    // The grant's props changed for every token of it: the first token holds no stale copy.
    for (const token of [issued.access_token, refreshed.access_token]) {
      expect(await t.server.validateBearerToken(bearer(token))).toMatchObject({ props: { n: 2 } });
    }
  });

  it("never lengthens a lifetime beyond accessTokenLifetime; a hook that widens the scope fails the request with 500", async () => {
    const long = createTestServer({ accessTokenLifetime: 60, tokenHook: () => ({ accessTokenLifetime: 10_000 }) });
    const client = await registerClient(long.storage);
    const body = (await (await exchangeCode(long.server, client, await obtainCode(long.server, client))).json()) as { expires_in: number };
    expect(body.expires_in).toBe(60);

    const reported: unknown[] = [];
    const wide = createTestServer({ tokenHook: () => ({ scope: ["read", "write", "admin"] }), onError: (error) => void reported.push(error) });
    const other = await registerClient(wide.storage);
    const response = await exchangeCode(wide.server, other, await obtainCode(wide.server, other, { scope: "read" }));
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: "server_error" });
    expect(String(reported[0])).toMatch(/tokenHook: scope may only narrow/);
  });
});
