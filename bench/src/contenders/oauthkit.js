/**
 * oauthkit from the repository's build (`dist/`, made by `npm run build` at the root), with its
 * memory store. Codes are seeded through its own authorization-endpoint API
 * (parseAuthorizationRequest + issueAuthorizationCode); refresh and access tokens come from
 * exchanges made before the clock starts.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CLIENT_ID, CLIENT_SECRET, ISSUER, REDIRECT_URI, REGISTRATION_BODY, RESOURCE, SCOPE, SUBJECT, TOKEN_URL,
  codeExchangeBody, expectStatus, formHeaders, pkcePair, refreshBody, tokenScenarios, accessTokenPool,
} from "../fixtures.js";
import { createCounter } from "../counting.js";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";

/** The socket the node:http objects point at (never connected: nothing goes over the wire). */
const socket = new Socket();

/**
 * One request through a node:http handler: a real `IncomingMessage` with the body pushed into it
 * and a real `ServerResponse`, whose `end` is observed (and still runs) to read the answer.
 */
async function serveNode(handler, method, url, headers, body) {
  const req = new IncomingMessage(socket);
  req.method = method;
  req.url = url;
  req.headers = headers;
  if (body !== undefined) req.push(body);
  req.push(null);
  const res = new ServerResponse(req);
  let text = "";
  const end = res.end;
  res.end = function (chunk, ...rest) {
    if (typeof chunk === "string") text = chunk;
    return end.call(this, chunk, ...rest);
  };
  if (!(await handler(req, res))) return { status: 404, text: "not handled" };
  return { status: res.statusCode, text };
}

/** Where the build is: the repository's dist/, or OAUTHKIT_DIST (a path to its index.js). */
const distUrl = process.env.OAUTHKIT_DIST
  ? pathToFileURL(process.env.OAUTHKIT_DIST)
  : new URL("../../../dist/index.js", import.meta.url);

const STORAGE_METHODS = [
  "getClient", "createClient", "updateClient", "deleteClient", "countClients", "saveAuthorizationCode",
  "redeemAuthorizationCode", "createGrant", "saveAccessToken", "getAccessToken", "getGrantByRefreshFamily",
  "rotateRefreshToken", "revokeGrant", "revokeAccessToken",
];

/** " (abc1234)" for the commit the build was made from, "+dirty" when src/ had local changes. */
function buildRevision(url) {
  try {
    const cwd = fileURLToPath(new URL("..", url));
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd, encoding: "utf8" }).trim() !== "";
    return ` (${commit}${dirty ? "+dirty" : ""})`;
  } catch {
    return "";
  }
}

/**
 * The contender; `node: true` is oauthkit/node's row: the same server with `nodeHashToken`, its
 * token endpoint served by `createNodeHandler` from node:http `IncomingMessage`/`ServerResponse`
 * objects (real ones, without a socket), and bearer validation from the header value.
 */
export async function createContender({ node = false } = {}) {
  const kit = await import(distUrl.href);
  const nodeKit = node ? await import(new URL("node.js", distUrl).href) : undefined;
  if (typeof kit.createAuthorizationServer !== "function") {
    throw new Error(`${fileURLToPath(distUrl)} does not export createAuthorizationServer yet`);
  }
  const packageJson = JSON.parse(readFileSync(new URL("../package.json", distUrl), "utf8"));
  const counter = createCounter();
  const storage = counter.instrument(kit.createMemoryStorage(), STORAGE_METHODS);
  const server = kit.createAuthorizationServer({
    issuer: ISSUER,
    storage,
    scopesSupported: [SCOPE],
    resources: [RESOURCE],
    endpoints: { registration: "/register" },
    ...(nodeKit ? { hash: nodeKit.nodeHashToken } : {}),
  });
  const nodeHandler = nodeKit?.createNodeHandler(server);
  await storage.createClient({
    client_id: CLIENT_ID,
    client_secret_hash: kit.hashToken(CLIENT_SECRET),
    token_endpoint_auth_method: "client_secret_basic",
    redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    scope: SCOPE,
  });

  /** An authorization request, approved: the code from the redirect. */
  async function seedCode() {
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: "code", client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: SCOPE,
      code_challenge: challenge, code_challenge_method: "S256", resource: RESOURCE, state: "s",
    });
    const request = await server.parseAuthorizationRequest(new Request(`${ISSUER}/authorize?${query}`));
    if (request instanceof Response) throw new Error(`authorization request refused: ${request.status} ${request.headers.get("location")}`);
    // Many codes for one user and client are pending at once: none may revoke the others (issue 13).
    const redirect = await server.issueAuthorizationCode(request, { subject: SUBJECT, revokeExistingGrants: false });
    const code = new URL(redirect.headers.get("location")).searchParams.get("code");
    return { code, verifier };
  }

  async function token(body) {
    if (nodeHandler) return serveNode(nodeHandler, "POST", "/token", formHeaders(body), body);
    const response = await server.handleTokenRequest(new Request(TOKEN_URL, { method: "POST", headers: formHeaders(body), body }));
    return { status: response.status, text: await response.text() };
  }

  async function obtainTokens(count) {
    const tokens = [];
    for (let i = 0; i < count; i++) {
      const { code, verifier } = await seedCode();
      const { status, text } = await token(codeExchangeBody(code, verifier));
      expectStatus("oauthkit", "seed", status, 200, text);
      tokens.push(JSON.parse(text));
    }
    return tokens;
  }

  if (nodeKit) {
    return {
      name: "oauthkit/node",
      version: `${packageJson.version}${buildRevision(distUrl)}`,
      storage: counter,
      notes: [
        "`createNodeHandler(server)` from `oauthkit/node` on a node:http `IncomingMessage` (the form body pushed into it) and a `ServerResponse`, both real, without a socket; the server hashes with `nodeHashToken`. No Web `Request`/`Response` is built.",
        "bearer validation is `server.validateBearerAuthorization(header, { requiredScopes: [\"api\"] })`: the `Authorization` header value, no request object.",
      ],
      scenarios: {
        ...tokenScenarios("oauthkit/node", { seedCode, obtainTokens, postToken: token }),
        bearer: {
          prepare: (count) => accessTokenPool(obtainTokens, count),
          async run(accessToken) {
            const result = await server.validateBearerAuthorization(`Bearer ${accessToken}`, { requiredScopes: [SCOPE] });
            if ("status" in result) expectStatus("oauthkit/node", "bearer", result.status, 200, result.body);
          },
        },
        register: {
          prepare: async (count) => Array.from({ length: count }, () => REGISTRATION_BODY),
          async run(body) {
            const headers = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
            const { status, text } = await serveNode(nodeHandler, "POST", "/register", headers, body);
            expectStatus("oauthkit/node", "register", status, 201, text);
          },
        },
      },
    };
  }

  return {
    name: "oauthkit",
    version: `${packageJson.version}${buildRevision(distUrl)}`,
    storage: counter,
    notes: [
      "handler methods of `createAuthorizationServer` called with a Web `Request`; the response body is read with `text()`.",
      "bearer validation is `server.validateBearerToken(request, { requiredScopes: [\"api\"] })` (audience: the configured resource).",
    ],
    scenarios: {
      ...tokenScenarios("oauthkit", { seedCode, obtainTokens, postToken: token }),
      bearer: {
        prepare: (count) => accessTokenPool(obtainTokens, count),
        async run(accessToken) {
          const request = new Request(RESOURCE, { headers: { authorization: `Bearer ${accessToken}` } });
          const result = await server.validateBearerToken(request, { requiredScopes: [SCOPE] });
          if (result instanceof Response) expectStatus("oauthkit", "bearer", result.status, 200, await result.text());
        },
      },
      register: typeof server.handleRegistrationRequest !== "function" ? null : {
        prepare: async (count) => Array.from({ length: count }, () => REGISTRATION_BODY),
        async run(body) {
          const response = await server.handleRegistrationRequest(
            new Request(`${ISSUER}/register`, { method: "POST", headers: { "content-type": "application/json" }, body }),
          );
          const text = await response.text();
          expectStatus("oauthkit", "register", response.status, 201, text);
        },
      },
    },
    unavailable: { register: "not in this build" },
  };
}
