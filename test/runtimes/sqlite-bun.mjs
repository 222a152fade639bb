// oauthkit/sqlite on bun:sqlite (run under Bun by test/runtimes/runtimes.test.ts): the built
// library's full code flow over a WAL file, the operations whose atomicity the contract rests on,
// and the data read back through a second connection.
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthorizationServer, generateToken, hashToken } from "../../dist/index.js";
import { bunSqliteDriver, createSqliteStorage, migrate } from "../../dist/sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "oauthkit-bun-sqlite-"));
const open = () => {
  const db = new Database(join(dir, "oauthkit.sqlite"));
  for (const pragma of ["journal_mode = WAL", "busy_timeout = 5000"]) db.exec(`PRAGMA ${pragma}`);
  return db;
};
const check = (condition, message) => {
  if (!condition) throw new Error(`bun:sqlite: ${message}`);
};
const [db, other] = [open(), open()];
try {
  const driver = bunSqliteDriver(db);
  const migrated = await migrate(driver);
  check(migrated.applied.join() === "001_init,002_grant_props,003_subject_index,004_refresh_families" && (await migrate(driver)).applied.length === 0, "migrate applies 001_init to 004_refresh_families once");
  const storage = createSqliteStorage({ driver });

  const issuer = "https://auth.example.com";
  const server = createAuthorizationServer({ issuer, storage, resources: ["https://api.example.com/mcp"], endpoints: { registration: "/register" } });
  const registered = await server.handleRequest(new Request(`${issuer}/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ redirect_uris: ["http://127.0.0.1/cb"], grant_types: ["authorization_code", "refresh_token"] }),
  }));
  const client = await registered.json();
  const verifier = generateToken();
  const basic = `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`;
  const token = (params) => server.handleTokenRequest(new Request(`${issuer}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basic },
    body: new URLSearchParams(params),
  }));
  const newCode = async () => {
    const authRequest = await server.parseAuthorizationRequest(new Request(
      `${issuer}/authorize?response_type=code&client_id=${client.client_id}&code_challenge=${hashToken(verifier)}&code_challenge_method=S256`,
    ));
    if (authRequest instanceof Response) throw new Error(`authorization refused: ${authRequest.status}`);
    // Several grants of one user and client live side by side here (no re-authorization semantics).
    const redirect = await server.issueAuthorizationCode(authRequest, { subject: "runtime-user", revokeExistingGrants: false });
    return new URL(redirect.headers.get("location")).searchParams.get("code");
  };
  const exchange = async (code) => (await token({ grant_type: "authorization_code", code, code_verifier: verifier })).json();
  const tokens = await exchange(await newCode());

  // Single use (RFC 6749 §4.1.2): a replay is refused and revokes what the first use issued.
  const replayed = await newCode();
  const first = await exchange(replayed);
  check((await token({ grant_type: "authorization_code", code: replayed, code_verifier: verifier })).status === 400, "code replay refused");
  check((await token({ grant_type: "refresh_token", refresh_token: first.refresh_token })).status === 400, "replay revoked the first use's grant");

  // Compare-and-rotate: of 10 concurrent rotations of one refresh token exactly one wins.
  const raced = await exchange(await newCode());
  const statuses = (await Promise.all(Array.from({ length: 10 }, () => token({ grant_type: "refresh_token", refresh_token: raced.refresh_token })))).map((r) => r.status);
  check(statuses.filter((s) => s === 200).length === 1, `one rotation wins, got ${statuses}`);

  // Tombstones: a revoked grant id is refused by createGrant.
  const t = Math.floor(Date.now() / 1000);
  await storage.revokeGrant("tombstoned", { until: t + 60 });
  const created = await storage.createGrant(
    { grantId: "tombstoned", clientId: client.client_id, subject: "s", scope: [], resource: [], issuedAt: t, expiresAt: t + 60 },
    { tokenHash: hashToken(generateToken()), grantId: "tombstoned", clientId: client.client_id, subject: "s", scope: [], audience: [], issuedAt: t, expiresAt: t + 60 },
  );
  check(created === false, "createGrant of a revoked id returns false");

  // Read back through a second connection to the same file (another process's view).
  const refreshed = await (await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token })).json();
  const reader = createAuthorizationServer({ issuer, storage: createSqliteStorage({ driver: bunSqliteDriver(other) }), resources: ["https://api.example.com/mcp"] });
  const info = await reader.validateBearerToken(new Request("https://api.example.com/mcp", { headers: { Authorization: `Bearer ${refreshed.access_token}` } }));
  if (info instanceof Response) throw new Error(`bearer refused: ${info.status}`);
  console.log(JSON.stringify({ subject: info.subject, rotated: refreshed.refresh_token !== tokens.refresh_token }));
} finally {
  db.close();
  other.close();
  rmSync(dir, { recursive: true, force: true });
}
