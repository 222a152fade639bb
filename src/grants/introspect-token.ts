/**
 * Token introspection (RFC 7662 §2) as an operation on plain inputs: what the introspection
 * endpoint answers once the caller is authenticated.
 *
 * @module
 */
import { systemNow } from "../clock.js";
import type { TokenHasher } from "../crypto.js";
import type { IntrospectionCredential } from "../policy.js";
import { formatScope } from "../rules/scope.js";
import type { SubjectType } from "../storage/types.js";
import { type TokenLookupStorage, findToken } from "./find-token.js";

/**
 * Who asks: a registered client (sees only its own tokens) or a configured resource server (sees
 * tokens for its resource, or any token if it names none).
 */
export type IntrospectionCaller =
  | {
      /** A confidential client, authenticated. */
      kind: "client";
      /** Its id. */
      clientId: string;
    }
  | {
      /** A resource server with a configured credential. */
      kind: "resource-server";
      /** The credential it presented. */
      credential: IntrospectionCredential;
    };

/** The input of {@link introspectToken}. */
export interface IntrospectionInput {
  /** The authenticated caller. */
  caller: IntrospectionCaller;
  /** The `token` parameter. */
  token: string;
  /** The `token_type_hint` parameter, if sent. */
  tokenTypeHint?: string | undefined;
}

/**
 * The introspection response (RFC 7662 §2.2): `{ active: false }` alone, or the active token's
 * members, plus the extension member `subject_type`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export type IntrospectionResponse =
  | {
      /** Inactive, unknown, or not the caller's to see. */
      active: false;
    }
  | {
      /** Active. */
      active: true;
      /** Its scope. */
      scope: string;
      /** The client it was issued to. */
      client_id: string;
      /** Whom it acts for. */
      sub: string;
      /** Whether `sub` is a user or the client itself (extension member). */
      subject_type: SubjectType;
      /** Its audience: one resource, or several (absent when it has none). */
      aud?: string | string[];
      /** The issuer. */
      iss: string;
      /** When it expires. */
      exp: number;
      /** When it was issued. */
      iat: number;
      /** `Bearer` for an access token, `refresh_token` for a refresh token. */
      token_type: "Bearer" | "refresh_token";
    };

/**
 * Introspects a token for a caller: active only if it is a live access token, or the current
 * refresh token of a live grant (rotated-out ones are not), and the caller may see it; anything
 * else is `{ active: false }`, which reveals nothing (RFC 7662 §2.2).
 *
 * @param input - the authenticated caller, the token and the hint.
 * @param deps - the two lookups, the issuer (for `iss`), optionally a clock and a hasher (default `hashToken`).
 * @example
 * ```ts
 * const answer = await introspectToken({ caller: { kind: "client", clientId }, token }, { storage, issuer });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export async function introspectToken(
  input: IntrospectionInput,
  deps: { storage: TokenLookupStorage; issuer: string; now?: (() => number) | undefined; hash?: TokenHasher | undefined },
): Promise<IntrospectionResponse> {
  const now = (deps.now ?? systemNow)();
  const found = await findToken(input.token, input.tokenTypeHint, deps.storage, deps.hash);
  let token: { clientId: string; subject: string; subjectType?: SubjectType | undefined; scope: string[]; audience: string[]; issuedAt: number; expiresAt: number; type: "Bearer" | "refresh_token" };
  if (found === undefined) return { active: false };
  if (found.kind === "access_token") {
    if (found.record.expiresAt <= now) return { active: false };
    token = { ...found.record, type: "Bearer" };
  } else {
    const { grant } = found;
    const state = grant.refresh;
    // Only the grant's current refresh token is active; rotated-out ones are not.
    if (!found.current || state === undefined || state.expiresAt <= now || grant.expiresAt <= now) return { active: false };
    token = { ...grant, audience: grant.resource, expiresAt: state.expiresAt, type: "refresh_token" };
  }
  if (!mayIntrospect(input.caller, token)) return { active: false };
  return {
    active: true,
    scope: formatScope(token.scope),
    client_id: token.clientId,
    sub: token.subject,
    // Extension member (RFC 7662 §2.2 allows them): whether `sub` is a user or the client itself.
    subject_type: token.subjectType ?? "user",
    ...(token.audience.length > 0 ? { aud: token.audience.length === 1 ? token.audience[0]! : token.audience } : {}),
    iss: deps.issuer,
    exp: token.expiresAt,
    iat: token.issuedAt,
    token_type: token.type,
  };
}

function mayIntrospect(caller: IntrospectionCaller, token: { clientId: string; audience: string[] }): boolean {
  if (caller.kind === "client") return token.clientId === caller.clientId;
  const { resource } = caller.credential;
  return resource === undefined || token.audience.includes(resource);
}
