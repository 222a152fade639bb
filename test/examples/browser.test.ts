/**
 * The reference server's sign-in and consent pages in a real browser: Debian's Chromium driven by
 * playwright-core (no browser download), from the authorization request to the client's redirect,
 * approving once and denying once.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStorage } from "../../src/index.js";
import { createApp } from "../../examples/mcp-server/app.js";
import { serve } from "../../examples/node-http/serve.js";

const CHROMIUM = "/usr/bin/chromium";
// CI keeps .tmp/ as an artifact: the screenshots show what a user is asked to trust.
const SCREENSHOTS = join(import.meta.dirname, "..", "..", ".tmp", "screenshots");
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

  // The PKCE verifier of each authorization URL, for the tests that redeem the code.
  const verifiers = new Map<string, string>();
  function authorizationUrl(): URL {
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
    verifiers.set(url.href, verifier);
    return url;
  }

  async function signIn(page: Page, url: URL = authorizationUrl()): Promise<void> {
    await page.goto(url.href);
    await page.fill('input[name="username"]', "demo");
    await page.fill('input[name="password"]', "demo");
    await page.click('button[value="sign-in"]');
    await page.waitForSelector('button[name="approve"]');
  }

  async function authorize(decision: "approve" | "deny"): Promise<URL> {
    const page = await browser.newPage();
    try {
      await signIn(page);
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

  it("Cancel on the sign-in page redirects with access_denied without signing in (RFC 6749 §4.1.2.1)", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(authorizationUrl().href);
      await page.click('button[name="deny"]'); // the fields are required, but Cancel does not validate them
      await page.waitForURL(`${callback.origin}/callback**`);
      const redirect = new URL(page.url());
      expect(redirect.searchParams.get("error")).toBe("access_denied");
      expect(redirect.searchParams.get("state")).toBe("browser-state");
      expect((await page.context().cookies(running.origin)).map((cookie) => cookie.name)).toEqual(["oauthkit_demo_signin"]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("Connected apps: the signed-in user sees the app they approved and disconnects it; its tokens stop working", async () => {
    const page = await browser.newPage();
    try {
      const url = authorizationUrl();
      await signIn(page, url);
      await page.click('button[name="approve"]');
      await page.waitForURL(`${callback.origin}/callback**`);
      const code = new URL(page.url()).searchParams.get("code")!;
      const token = await fetch(`${running.origin}/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code, client_id: clientId, redirect_uri: `${callback.origin}/callback`, code_verifier: verifiers.get(url.href)! }),
      });
      expect(token.status).toBe(200);
      const { access_token: accessToken } = await token.json();
      const listTools = () =>
        fetch(`${running.origin}/mcp`, {
          method: "POST",
          headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
        });
      expect((await listTools()).status).toBe(200);

      // Same browser session: the page lists the app, signed in already.
      await page.goto(`${running.origin}/connected-apps`);
      expect(await page.textContent("h1")).toBe("Connected apps");
      const row = page.locator(`[data-client-id="${clientId}"]`);
      expect(await row.locator(".name").textContent()).toBe("Browser Test Client");
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, "connected-apps.png"), fullPage: true });
      await row.locator('button[value="disconnect"]').click();
      await page.waitForURL(`${running.origin}/connected-apps?disconnected=1`);
      expect(await page.textContent('[role="status"]')).toContain("disconnected");
      expect(await page.locator(`[data-client-id="${clientId}"]`).count()).toBe(0);
      expect((await listTools()).status).toBe(401);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("shows who asks, how sure that is, where the code goes and what it allows; screenshots on a desktop and a 390 px phone", async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const callbackHost = new URL(callback.origin).host;
    for (const device of [
      { suffix: "", viewport: { width: 1280, height: 800 }, isMobile: false },
      { suffix: "-mobile", viewport: { width: 390, height: 844 }, isMobile: true },
    ]) {
      const context = await browser.newContext({ viewport: device.viewport, isMobile: device.isMobile, deviceScaleFactor: 2 });
      const page = await context.newPage();
      try {
        await page.goto(authorizationUrl().href);
        expect(await page.textContent("h1")).toBe("Sign in");
        expect(await page.textContent("#client-name")).toBe("Browser Test Client");
        expect(await page.textContent("#client-status")).toBe("Unverified");
        expect(await page.locator("button.primary").allTextContents()).toEqual(["Sign in"]);
        // The inline style applies under the page's CSP (default-src 'none'; style-src 'unsafe-inline').
        expect(await page.$eval("button.primary", (button) => getComputedStyle(button).backgroundColor)).toBe("rgb(36, 81, 211)");
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(device.viewport.width);
        await page.screenshot({ path: join(SCREENSHOTS, `signin${device.suffix}.png`), fullPage: true });

        await page.fill('input[name="username"]', "demo");
        await page.fill('input[name="password"]', "demo");
        await page.click('button[value="sign-in"]');
        await page.waitForSelector('button[name="approve"]');
        expect(await page.textContent("h1")).toBe("Allow Browser Test Client to access your account?");
        expect(await page.textContent("#client-name")).toBe("Browser Test Client");
        expect(await page.textContent("#client-status")).toBe("Unverified");
        expect(await page.textContent(".warning")).toContain("This app registered itself");
        expect(await page.textContent("#redirect-host")).toContain(callbackHost);
        expect(await page.textContent('[data-scope="mcp"]')).toContain("Use the MCP tools of this server on your behalf");
        expect(await page.textContent("#resource")).toBe(`${running.origin}/mcp`);
        expect(await page.locator("button.primary").allTextContents()).toEqual(["Allow"]);
        expect(await page.locator("button.secondary").allTextContents()).toEqual(["Deny"]);
        // Both buttons within the first screen, no sideways scrolling.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(device.viewport.width);
        expect(((await page.locator('button[name="deny"]').boundingBox())?.y ?? Infinity) < device.viewport.height).toBe(true);
        await page.screenshot({ path: join(SCREENSHOTS, `consent${device.suffix}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    }
    for (const name of ["signin", "consent", "signin-mobile", "consent-mobile"]) expect(statSync(join(SCREENSHOTS, `${name}.png`)).size).toBeGreaterThan(10_000);
  }, 60_000);
});
