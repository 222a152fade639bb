// The built library on another runtime: a full code flow in-process, Web APIs only.
// Run by test/runtimes/runtimes.test.ts with Bun and Deno (and Node).
import { createAuthorizationServer, createMemoryStorage, generateToken, hashToken } from "../../dist/index.js";

const issuer = "https://auth.example.com";
const storage = createMemoryStorage();
const server = createAuthorizationServer({ issuer, storage, resources: ["https://api.example.com/mcp"], endpoints: { registration: "/register" } });

const registered = await server.handleRequest(new Request(`${issuer}/register`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ redirect_uris: ["http://127.0.0.1/cb"], grant_types: ["authorization_code", "refresh_token"] }),
}));
const client = await registered.json();
const verifier = generateToken();
const authRequest = await server.parseAuthorizationRequest(new Request(
  `${issuer}/authorize?response_type=code&client_id=${client.client_id}&code_challenge=${hashToken(verifier)}&code_challenge_method=S256`,
));
if (authRequest instanceof Response) throw new Error(`authorization refused: ${authRequest.status}`);
const redirect = await server.issueAuthorizationCode(authRequest, { subject: "runtime-user" });
const code = new URL(redirect.headers.get("location")).searchParams.get("code");
const basic = `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`;
const token = async (params) => (await server.handleTokenRequest(new Request(`${issuer}/token`, {
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basic },
  body: new URLSearchParams(params),
}))).json();
const tokens = await token({ grant_type: "authorization_code", code, code_verifier: verifier });
const refreshed = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token });
const info = await server.validateBearerToken(new Request("https://api.example.com/mcp", { headers: { Authorization: `Bearer ${refreshed.access_token}` } }));
if (info instanceof Response) throw new Error(`bearer refused: ${info.status}`);
console.log(JSON.stringify({ subject: info.subject, rotated: refreshed.refresh_token !== tokens.refresh_token }));
