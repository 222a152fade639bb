/**
 * The token hook: at every code exchange and refresh, the host may replace the grant's props,
 * narrow the scope of the access token and shorten its lifetime — e.g. never beyond the upstream
 * token it stands for (docs/federation.md#token-hooks).
 *
 * @module
 */
import type { ServerPolicy } from "../policy.js";
import { sealGrantProps, unsealGrantProps } from "../props.js";
import { isScopeSubset } from "../rules/scope.js";
import type { Sealer } from "../sealing.js";
import type { GrantProps, GrantRecord } from "../storage/types.js";

/** What the {@link TokenHook} is told. */
export interface TokenHookInput {
  /** Which grant is issuing: the code exchange or a refresh. */
  grantType: "authorization_code" | "refresh_token";
  /** The client the tokens are for. */
  clientId: string;
  /** Whom they act for. */
  subject: string;
  /** The scope the access token would get. */
  scope: readonly string[];
  /** The grant's props, unsealed. */
  props: GrantProps | undefined;
}

/** What the {@link TokenHook} may change; anything left out stays. */
export interface TokenHookResult {
  /** New props for the grant (sealed again; on a refresh they replace the grant's props for every token). */
  props?: GrantProps;
  /** A narrower scope for this access token (a subset of `input.scope`). */
  scope?: readonly string[];
  /** Seconds this access token lives, at most the server's `accessTokenLifetime`. */
  accessTokenLifetime?: number;
}

/**
 * The host's say on each issued access token, like Cloudflare's `tokenExchangeCallback`. It runs
 * before the tokens are stored; throwing fails the token request with `500 server_error`.
 */
export type TokenHook = (input: TokenHookInput) => TokenHookResult | undefined | Promise<TokenHookResult | undefined>;

/** What applying the hook decided. */
export interface HookedIssue {
  /** The policy to mint with (its `accessTokenLifetime` shortened when the hook said so). */
  policy: ServerPolicy;
  /** The access token's scope. */
  scope: string[];
  /** The grant's new sealed props, when the hook replaced them. */
  sealedProps: string | undefined;
}

/**
 * Runs the hook (if any) for one issue. Without a hook it returns at once, not a promise: a grant
 * then reaches its store call in the same turn as before, which keeps races (a code redeemed twice
 * at once) decided as they were.
 *
 * @throws {TypeError} when the hook widens the scope or lengthens the lifetime (a programmer error).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function applyTokenHook(
  deps: { policy: ServerPolicy; tokenHook?: TokenHook | undefined; sealer?: Sealer | undefined },
  grantType: TokenHookInput["grantType"],
  grant: GrantRecord,
  scope: string[],
): HookedIssue | Promise<HookedIssue> {
  if (deps.tokenHook === undefined) return { policy: deps.policy, scope, sealedProps: undefined };
  return runTokenHook(deps.tokenHook, deps, grantType, grant, scope);
}

async function runTokenHook(
  tokenHook: TokenHook,
  deps: { policy: ServerPolicy; sealer?: Sealer | undefined },
  grantType: TokenHookInput["grantType"],
  grant: GrantRecord,
  scope: string[],
): Promise<HookedIssue> {
  const props = await unsealGrantProps(deps.sealer, grant);
  const result = (await tokenHook({ grantType, clientId: grant.clientId, subject: grant.subject, scope: [...scope], props })) ?? {};
  let policy = deps.policy;
  if (result.accessTokenLifetime !== undefined) {
    const lifetime = result.accessTokenLifetime;
    if (!Number.isFinite(lifetime) || lifetime < 0) throw new TypeError("tokenHook: accessTokenLifetime must be a non-negative number of seconds.");
    policy = { ...policy, accessTokenLifetime: Math.min(Math.floor(lifetime), policy.accessTokenLifetime) };
  }
  let narrowed = scope;
  if (result.scope !== undefined) {
    if (!isScopeSubset(result.scope, scope)) throw new TypeError("tokenHook: scope may only narrow the scope of the token.");
    narrowed = [...result.scope];
  }
  const sealedProps = result.props === undefined ? undefined : await sealGrantProps(deps.sealer, grant.grantId, result.props);
  return { policy, scope: narrowed, sealedProps };
}
