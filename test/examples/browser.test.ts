/**
 * The reference server's sign-in and consent pages in a real browser: Debian's Chromium driven by
 * playwright-core (no browser download), from the authorization request to the client's redirect,
 * approving once and denying once.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStorage } from "../../src/index.js";
import { createApp } from "../../examples/mcp-server/app.js";
import { serve } from "../../examples/node-http/serve.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === "true") throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
if (!available) console.warn(`[skip] browser test: ${CHROMIUM} not found (apt-get install chromium)`);

describe.skipIf(!available)("sign-in and consent in headless Chromium", () => {
  let running: Awaited<ReturnType<typeof serve>>;
  let callback: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let clientId: string;

  beforeAll(async () => {
    running = await serve(
      (origin) => createApp({ issuer: origin, storage: createMemoryStorage(), demo: { username: "demo", password: "demo" } }).handle,
      { port: 0, hostname: "127.0.0.1" },
    );
    // The client's redirect target: a loopback page that shows what it received.
    callback = await serve(() => async (request) => new Response(`<p id="query">${new URL(request.url).search}</p>`, { headers: { "Content-Type": "text/html" } }), {
      port: 0,
      hostname: "127.0.0.1",
    });
    const registration = await fetch(`${running.origin}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "Browser Test Client", redirect_uris: [`${callback.origin}/callback`], token_endpoint_auth_method: "none" }),
    });
    clientId = (await registration.json()).client_id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await callback?.close();
  });

  async function authorize(decision: "approve" | "deny"): Promise<URL> {
    const verifier = randomBytes(32).toString("base64url");
    const url = new URL(`${running.origin}/authorize`);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: `${callback.origin}/callback`,
      scope: "mcp",
      state: "browser-state",
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    const page = await browser.newPage();
    try {
      await page.goto(url.href);
      await page.fill('input[name="username"]', "demo");
      await page.fill('input[name="password"]', "demo");
      await page.click('button[type="submit"]');
      await page.waitForSelector('button[name="approve"]');
      expect(await page.textContent("h1")).toContain("Browser Test Client");
      await page.click(`button[name="${decision}"]`);
      await page.waitForURL(`${callback.origin}/callback**`);
      return new URL(page.url());
    } finally {
      await page.close();
    }
  }

  it("approving redirects to the client with code, state and iss (RFC 6749 §4.1.2, RFC 9207)", async () => {
    const redirect = await authorize("approve");
    expect(redirect.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(redirect.searchParams.get("state")).toBe("browser-state");
    expect(redirect.searchParams.get("iss")).toBe(running.origin);
  }, 60_000);

  it("denying redirects with access_denied (RFC 6749 §4.1.2.1)", async () => {
    const redirect = await authorize("deny");
    expect(redirect.searchParams.get("error")).toBe("access_denied");
    expect(redirect.searchParams.get("state")).toBe("browser-state");
    expect(redirect.searchParams.has("code")).toBe(false);
  }, 60_000);
});
