/**
 * The README's integration snippet, run as written: its handler serves metadata, refuses /mcp
 * without a token, and completes the code flow.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RFC7636_CHALLENGE, RFC7636_VERIFIER } from "./support/fixtures.js";

const root = join(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const snippet = /## A minimal server\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];

describe("README snippet", () => {
  it("is there, and about 30 lines", () => {
    expect(snippet).toBeDefined();
    expect(snippet!.split("\n").length).toBeLessThanOrEqual(35);
  });

  it("serves metadata, protects /mcp, and completes the code flow", async () => {
    mkdirSync(join(root, ".tmp"), { recursive: true });
    const file = join(root, ".tmp", "readme-snippet.ts");
    writeFileSync(file, `${snippet}\nexport { handle, oauth };\n`);
    const { handle, oauth } = await import(/* @vite-ignore */ file);
    const issuer = "http://localhost:3000";

    const metadata = await handle(new Request(`${issuer}/.well-known/oauth-authorization-server`));
    expect((await metadata.json()).issuer).toBe(issuer);
    const mcp = await handle(new Request(`${issuer}/mcp`));
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get("www-authenticate")).toContain("resource_metadata=");

    await oauth.config.storage.createClient({
      client_id: "readme-client",
      token_endpoint_auth_method: "none",
      redirect_uris: ["http://127.0.0.1/callback"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    });
    const authorize = await handle(
      new Request(`${issuer}/authorize?response_type=code&client_id=readme-client&code_challenge=${RFC7636_CHALLENGE}&code_challenge_method=S256`),
    );
    const code = new URL(authorize.headers.get("location")).searchParams.get("code") ?? "";
    const token = await handle(
      new Request(`${issuer}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code, client_id: "readme-client", code_verifier: RFC7636_VERIFIER }),
      }),
    );
    const { access_token } = await token.json();
    const hello = await handle(new Request(`${issuer}/mcp`, { headers: { Authorization: `Bearer ${access_token}` } }));
    expect(await hello.json()).toEqual({ hello: "user-123" });
  });
});
