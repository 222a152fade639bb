/**
 * Record builders for the conformance suite: every credential is made as a plaintext value and
 * stored only through `hashTaggedToken()`, the way the core does it, so that the suite can check
 * that a store never needs (and never holds) the plaintext. Grant ids and credentials carry one slot
 * tag per suite run (`src/token-format.ts`), so that a sharded store (Redis Cluster) keeps a grant
 * and any token of the suite in one slot, as it does a grant and its own tokens.
 *
 * @module
 */
import { generateId, generateToken } from "../crypto.js";
import { generateGrantId, hashTaggedToken, slotTagOf } from "../token-format.js";
import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  ClientRecord,
  GrantRecord,
  RefreshTokenState,
} from "../storage/types.js";

/** A credential in both forms: the plaintext a client would hold and the hash a store holds. */
export interface TestCredential {
  value: string;
  hash: string;
}

const SUITE_TAG = slotTagOf(generateGrantId())!;

/** A grant id with the suite's slot tag. */
export function grantId(): string {
  return `${SUITE_TAG}.${generateId()}`;
}

/** A random credential with the suite's slot tag, and its stored hash. */
export function credential(): TestCredential {
  const value = `${SUITE_TAG}.${generateToken()}`;
  return { value, hash: hashTaggedToken(value) };
}

/** A client with every optional field set, so that a round trip checks them all. */
export function fullClient(secret: TestCredential, registrationToken: TestCredential, now: number): ClientRecord {
  return {
    client_id: `client-${generateId()}`,
    client_secret_hash: secret.hash,
    client_secret_expires_at: 0,
    client_id_issued_at: now,
    token_endpoint_auth_method: "client_secret_basic",
    redirect_uris: ["https://client.example.com/callback", "http://127.0.0.1/cb"],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    scope: "read write",
    client_name: "Conformance Client ✓",
    client_uri: "https://client.example.com",
    logo_uri: "https://client.example.com/logo.png",
    contacts: ["ops@client.example.com"],
    tos_uri: "https://client.example.com/tos",
    policy_uri: "https://client.example.com/policy",
    software_id: "conformance",
    software_version: "1.0.0",
    registration_access_token_hash: registrationToken.hash,
  };
}

/** A public client with only the required fields. */
export function minimalClient(): ClientRecord {
  return {
    client_id: `client-${generateId()}`,
    token_endpoint_auth_method: "none",
    redirect_uris: ["https://client.example.com/callback"],
    grant_types: ["authorization_code"],
    response_types: ["code"],
  };
}

export function authorizationCode(code: TestCredential, now: number, expiresAt = now + 60): AuthorizationCodeRecord {
  return {
    codeHash: code.hash,
    grantId: grantId(),
    clientId: `client-${generateId()}`,
    redirectUri: "https://client.example.com/callback",
    subject: "user-1",
    scope: ["read", "write"],
    resource: ["https://api.example.com/mcp"],
    codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    codeChallengeMethod: "S256",
    props: { tenant: "t1", roles: ["admin"], empty: [], deep: { n: 1.5 } },
    issuedAt: now,
    expiresAt,
  };
}

export function refreshState(token: TestCredential, now: number, previous?: TestCredential): RefreshTokenState {
  return {
    tokenHash: token.hash,
    expiresAt: now + 30 * 86_400,
    ...(previous === undefined ? {} : { previousTokenHash: previous.hash, rotatedAt: now }),
  };
}

export interface GrantOptions {
  clientId?: string;
  expiresAt?: number;
  refresh?: TestCredential;
}

export function grant(now: number, options: GrantOptions = {}): GrantRecord {
  const record: GrantRecord = {
    grantId: grantId(),
    clientId: options.clientId ?? `client-${generateId()}`,
    subject: "user-1",
    scope: ["read", "write"],
    resource: ["https://api.example.com/mcp"],
    props: { tenant: "t1", empty: [], emptyObject: {} },
    issuedAt: now,
    expiresAt: options.expiresAt ?? now + 90 * 86_400,
  };
  // The first token's hash doubles as the family hash, as for a grant migrated from before families.
  if (options.refresh !== undefined) {
    record.refresh = { ...refreshState(options.refresh, now), familyHash: options.refresh.hash };
  }
  return record;
}

export function accessToken(token: TestCredential, of: GrantRecord, now: number, expiresAt = now + 3600): AccessTokenRecord {
  return {
    tokenHash: token.hash,
    grantId: of.grantId,
    clientId: of.clientId,
    subject: of.subject,
    scope: of.scope,
    audience: of.resource,
    props: { tenant: "t1" },
    issuedAt: now,
    expiresAt,
  };
}
