/**
 * Sealed props (issue 12): grant props are AES-GCM ciphertext at rest under host-held keys, with
 * rotation; bearer validation unseals them in its one storage call.
 */
import { describe, expect, it } from "vitest";
import { createAuthorizationServer, createMemoryStorage, generateToken, hashTaggedToken, refreshFamilyHash } from "../src/index.js";
import { createSealer } from "../src/sealing.js";
import { countStorageCalls } from "../src/testing/index.js";
import { ISSUER, RESOURCE, createTestServer, exchangeCode, obtainCode, registerClient } from "./support/fixtures.js";

const bearer = (token: string) => new Request(RESOURCE, { headers: { Authorization: `Bearer ${token}` } });

describe("createSealer (AES-256-GCM, host-held key ring)", () => {
  const oldKey = { id: "old", key: generateToken() };
  const newKey = { id: "new", key: generateToken() };

  it("round-trips JSON bound to its context; another context, a tampered value or an unknown key id unseal nothing", async () => {
    const sealer = createSealer([newKey], "props.keys");
    const sealed = await sealer.seal({ upstream: { access_token: "secret-value" } }, "grant-1");
    expect(sealed).toMatch(/^new\.[\w-]{16}\.[\w-]+$/);
    expect(sealed).not.toContain("secret-value");
    expect(await sealer.unseal(sealed, "grant-1")).toEqual({ upstream: { access_token: "secret-value" } });
    expect(await sealer.unseal(sealed, "grant-2")).toBeUndefined();
    const [id, iv, ciphertext] = sealed.split(".") as [string, string, string];
    const flipped = ciphertext.slice(0, -2) + (ciphertext.at(-2) === "A" ? "B" : "A") + ciphertext.at(-1);
    expect(await sealer.unseal(`${id}.${iv}.${flipped}`, "grant-1")).toBeUndefined();
    expect(await sealer.unseal(`other.${iv}.${ciphertext}`, "grant-1")).toBeUndefined();
    expect(await sealer.unseal("not-sealed", "grant-1")).toBeUndefined();
  });

  it("rotation: the newest key seals, every configured key unseals; a removed key unseals nothing", async () => {
    const before = await createSealer([oldKey], "props.keys").seal({ n: 1 }, "c");
    const rotated = createSealer([newKey, oldKey], "props.keys");
    expect(await rotated.unseal(before, "c")).toEqual({ n: 1 });
    expect((await rotated.seal({ n: 2 }, "c")).startsWith("new.")).toBe(true);
    expect(await createSealer([newKey], "props.keys").unseal(before, "c")).toBeUndefined();
  });

  it("refuses malformed key rings with a TypeError naming the option, never quoting a key", () => {
    expect(() => createSealer([], "props.keys")).toThrow(/props\.keys must list at least one key/);
    expect(() => createSealer([{ id: "a", key: "short" }], "props.keys")).toThrow(/props\.keys\[0\]\.key must be base64url of 32 random bytes/);
    expect(() => createSealer([{ id: "a b", key: generateToken() }], "props.keys")).toThrow(/props\.keys\[0\]\.id/);
    expect(() => createSealer([newKey, { ...newKey }], "props.keys")).toThrow(/props\.keys\[1\]\.id repeats/);
    expect(() => createAuthorizationServer({ issuer: ISSUER, storage: createMemoryStorage(), props: { keys: [{ id: "k", key: "x".repeat(10) }] } })).toThrow(TypeError);
  });
});

describe("sealed grant props through the server", () => {
  it("props without props.keys are refused at issue time (TypeError): nothing is stored in clear", async () => {
    const t = createTestServer({ props: undefined });
    const client = await registerClient(t.storage);
    await expect(obtainCode(t.server, client, { props: { upstream: "x" } })).rejects.toThrow(/configure props\.keys/);
    // Without props the server works as before.
    expect(await obtainCode(t.server, client)).toMatch(/^[\w-]{43}$/);
  });

  it("bearer validation hands the props back unsealed, in exactly one storage call; a dump of the store has no plaintext props", async () => {
    const storage = createMemoryStorage();
    const counted = countStorageCalls(storage);
    const t = createTestServer({ storage: counted.storage, now: undefined });
    const client = await registerClient(storage);
    const code = await obtainCode(t.server, client, { props: { upstreamToken: "gho_plaintext_upstream_token" } });
    const body = (await (await exchangeCode(t.server, client, code)).json()) as { access_token: string; refresh_token: string };
    counted.reset();
    const info = await t.server.validateBearerToken(bearer(body.access_token));
    expect(info).toMatchObject({ props: { upstreamToken: "gho_plaintext_upstream_token" } });
    expect(counted.total()).toBe(1);
    // What the store holds: the grant's ciphertext, and no props on the access-token record.
    const grant = await storage.getGrantByRefreshFamily(refreshFamilyHash(body.refresh_token));
    const record = await storage.getAccessToken(hashTaggedToken(body.access_token));
    expect(grant?.sealedProps).toMatch(/^test\./);
    expect(record?.sealedProps).toBe(grant?.sealedProps);
    expect(JSON.stringify([grant, record])).not.toContain("gho_plaintext");
  });

  it("a record whose sealed props no configured key opens is a 500 server_error, reported, never empty props", async () => {
    const storage = createMemoryStorage();
    const first = createTestServer({ storage, now: undefined });
    const client = await registerClient(storage);
    const code = await obtainCode(first.server, client, { props: { a: 1 } });
    const { access_token } = (await (await exchangeCode(first.server, client, code)).json()) as { access_token: string };
    const reported: unknown[] = [];
    const other = createTestServer({ storage, now: undefined, props: { keys: [{ id: "other", key: generateToken() }] }, onError: (error) => void reported.push(error) });
    const response = (await other.server.validateBearerToken(bearer(access_token))) as Response;
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: "server_error" });
    expect(String(reported[0])).toMatch(/could not be unsealed/);
  });
});
