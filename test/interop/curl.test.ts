/**
 * Interop: the token endpoint and a protected route driven by the real `curl` binary over HTTP on
 * 127.0.0.1, with the credentials and bodies exactly as curl puts them on the wire.
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientAuthenticationMethod,
  createMemoryStorage,
  generateToken,
  hashTaggedToken,
} from "../../src/index.js";
import { registerClient } from "../support/fixtures.js";
import { type RunningServer, serveApprovingHost } from "../support/http.js";

/** Where curl is, or undefined; in CI its absence is a failure. */
function findCurl(): string | undefined {
  const probe = spawnSync("sh", ["-c", "command -v curl"], { encoding: "utf8", timeout: 10_000 });
  const path = probe.stdout.trim();
  if (probe.status === 0 && path !== "") return path;
  if (process.env.CI === "true") throw new Error("curl interop: the curl binary is missing: install curl (apt-get)");
  console.warn("[skip] curl interop: the curl binary is missing; install curl (apt-get) to run it");
  return undefined;
}

const CURL = findCurl();
const REDIRECT_URI = "http://127.0.0.1:53123/callback";
// RFC 6749 §2.3.1 / Appendix A: ids and secrets may hold any VSCHAR, these among them.
const AWKWARD_SECRET = "pa+ss%word: with spaces";

let running: RunningServer;
const storage = createMemoryStorage();

interface CurlResponse {
  status: number;
  headers: Headers;
  body: string;
  json(): any;
}

const execFileAsync = promisify(execFile);

/** Runs curl (no proxy, no redirects followed) and reads the status `-w` appends after the body. */
async function curl(args: string[]): Promise<CurlResponse> {
  const { stdout } = await execFileAsync(CURL!, ["-sS", "--noproxy", "*", "--max-time", "10", "-D", "-", "-w", "\n%{http_code}", ...args], {
    encoding: "utf8",
    timeout: 20_000,
  });
  const split = stdout.indexOf("\r\n\r\n");
  const lastLine = stdout.lastIndexOf("\n");
  const headers = new Headers();
  for (const line of stdout.slice(0, split).split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const body = stdout.slice(split + 4, lastLine);
  return { status: Number(stdout.slice(lastLine + 1)), headers, body, json: () => JSON.parse(body) };
}

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 wants the id and secret inside Basic. */
const formUrlEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

async function register(method: ClientAuthenticationMethod, clientId: string, secret?: string) {
  await registerClient(storage, { method, clientId, redirectUris: ["http://127.0.0.1/callback"], ...(secret === undefined ? {} : { secret }) });
  return { clientId, secret };
}

/** An authorization code with PKCE S256, fetched with curl without following the redirect. */
async function authorize(clientId: string) {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(`${running.url}/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: "read write",
    state: "s1",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  const response = await curl([url.href]);
  expect(response.status).toBe(302);
  const callback = new URL(response.headers.get("location")!);
  expect(callback.searchParams.get("iss")).toBe(running.url);
  return { code: callback.searchParams.get("code")!, verifier };
}

const tokenEndpoint = () => `${running.url}/token`;

/** curl arguments posting an authorization_code exchange, each value form-urlencoded by curl. */
function codeExchangeForm(code: string, verifier: string): string[] {
  const fields = { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
  return Object.entries(fields).flatMap(([name, value]) => ["--data-urlencode", `${name}=${value}`]);
}

describe.skipIf(CURL === undefined)("curl interop", () => {
  beforeAll(async () => {
    running = await serveApprovingHost((origin) => ({ issuer: origin, storage, scopesSupported: ["read", "write"], resources: [`${origin}/api`] }));
  });

  afterAll(() => running?.close());

  describe("client_secret_basic with -u (RFC 6749 §2.3.1)", () => {
    it("accepts an id and a secret with + % : and spaces, form-urlencoded before curl base64s them; the token works on /api (RFC 6750 §2.1)", async () => {
      const { clientId, secret } = await register("client_secret_basic", `curl client:${generateToken().slice(0, 8)}`, AWKWARD_SECRET);
      const { code, verifier } = await authorize(clientId);
      const response = await curl([
        "-u",
        `${formUrlEncode(clientId)}:${formUrlEncode(secret!)}`,
        ...codeExchangeForm(code, verifier),
        tokenEndpoint(),
      ]);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const tokens = response.json();
      expect(tokens).toMatchObject({ token_type: "Bearer", scope: "read write", expires_in: 3600 });
      expect(await storage.getAccessToken(hashTaggedToken(tokens.access_token))).toMatchObject({ clientId, subject: "alice" });

      const api = await curl(["-H", `Authorization: Bearer ${tokens.access_token}`, `${running.url}/api`]);
      expect(api.status).toBe(200);
      expect(api.json()).toEqual({ hello: "alice" });
    });

    it("refuses the same secret sent raw (not form-urlencoded) with 401 invalid_client and a Basic challenge (RFC 6749 §5.2)", async () => {
      const { clientId, secret } = await register("client_secret_basic", `curl-raw-${generateToken().slice(0, 8)}`, AWKWARD_SECRET);
      const { code, verifier } = await authorize(clientId);
      const response = await curl([
        "-u",
        `${clientId}:${secret}`,
        "-d",
        `grant_type=authorization_code&code=${code}&code_verifier=${verifier}`,
        "--data-urlencode",
        `redirect_uri=${REDIRECT_URI}`,
        tokenEndpoint(),
      ]);
      expect(response.status).toBe(401);
      expect(response.json().error).toBe("invalid_client");
      expect(response.headers.get("www-authenticate")).toBe(`Basic realm="${running.url}", charset="UTF-8"`);
    });
  });

  describe("client_secret_post with --data-urlencode (RFC 6749 §2.3.1)", () => {
    it("exchanges the code with the awkward secret in the form body, then refreshes (RFC 6749 §6)", async () => {
      const { clientId, secret } = await register("client_secret_post", `curl-post-${generateToken().slice(0, 8)}`, AWKWARD_SECRET);
      const { code, verifier } = await authorize(clientId);
      const credentials = ["--data-urlencode", `client_id=${clientId}`, "--data-urlencode", `client_secret=${secret}`];
      const response = await curl([
        ...credentials,
        ...codeExchangeForm(code, verifier),
        tokenEndpoint(),
      ]);
      expect(response.status).toBe(200);
      const tokens = response.json();
      expect(tokens.token_type).toBe("Bearer");

      const refreshed = await curl([...credentials, "--data-urlencode", "grant_type=refresh_token", "--data-urlencode", `refresh_token=${tokens.refresh_token}`, tokenEndpoint()]);
      expect(refreshed.status).toBe(200);
      expect(refreshed.json().refresh_token).not.toBe(tokens.refresh_token);
    });

    it("refuses a wrong secret with 401 invalid_client (RFC 6749 §5.2)", async () => {
      const { clientId } = await register("client_secret_post", `curl-post-${generateToken().slice(0, 8)}`, AWKWARD_SECRET);
      const { code, verifier } = await authorize(clientId);
      const response = await curl([
        "--data-urlencode",
        `client_id=${clientId}`,
        "--data-urlencode",
        `client_secret=${AWKWARD_SECRET.replace("+", " ")}`,
        ...codeExchangeForm(code, verifier),
        tokenEndpoint(),
      ]);
      expect(response.status).toBe(401);
      expect(response.json().error).toBe("invalid_client");
    });
  });

  describe("malformed token requests", () => {
    it("RFC 6749 §3.2: a repeated parameter is 400 invalid_request, and the code is not consumed", async () => {
      const { clientId, secret } = await register("client_secret_basic", `curl-rep-${generateToken().slice(0, 8)}`, generateToken());
      const { code, verifier } = await authorize(clientId);
      const base = ["-u", `${clientId}:${secret}`, "-d", "grant_type=authorization_code", "--data-urlencode", `redirect_uri=${REDIRECT_URI}`, "-d", `code_verifier=${verifier}`];
      const repeated = await curl([...base, "-d", `code=${code}`, "-d", `code=${code}`, tokenEndpoint()]);
      expect(repeated.status).toBe(400);
      expect(repeated.json()).toEqual({ error: "invalid_request", error_description: 'The "code" parameter is included more than once.' });

      const once = await curl([...base, "-d", `code=${code}`, tokenEndpoint()]);
      expect(once.status).toBe(200);
    });

    it.each([
      ["text/plain", "grant_type=refresh_token&refresh_token=x"],
      ["application/json", JSON.stringify({ grant_type: "refresh_token", refresh_token: "x" })],
      ["application/x-www-form-urlencoded; charset=ISO-8859-1", "grant_type=refresh_token&refresh_token=x"],
    ])("RFC 6749 §3.2: a %s body is 400 invalid_request", async (contentType, body) => {
      const { clientId, secret } = await register("client_secret_basic", `curl-ct-${generateToken().slice(0, 8)}`, generateToken());
      const response = await curl(["-u", `${clientId}:${secret}`, "-H", `Content-Type: ${contentType}`, "--data-binary", body, tokenEndpoint()]);
      expect(response.status).toBe(400);
      expect(response.json().error).toBe("invalid_request");
    });
  });

  describe("bearer calls to /api (RFC 6750)", () => {
    it("RFC 6750 §3.1: an unknown token is 401 invalid_token with the resource metadata URL", async () => {
      const response = await curl(["-H", `Authorization: Bearer ${generateToken()}`, `${running.url}/api`]);
      expect(response.status).toBe(401);
      const challenge = response.headers.get("www-authenticate")!;
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toContain('error="invalid_token"');
      expect(challenge).toContain(`resource_metadata="${running.url}/.well-known/oauth-protected-resource/api"`);
    });

    it("RFC 6750 §3: no token is 401 with a bare challenge", async () => {
      const response = await curl([`${running.url}/api`]);
      expect(response.status).toBe(401);
      // The route needs scope read: named in the first challenge too (MCP 2026-07-28 scope selection).
      expect(response.headers.get("www-authenticate")).toBe(`Bearer scope="read", resource_metadata="${running.url}/.well-known/oauth-protected-resource/api"`);
    });
  });
});
