/**
 * Events: what happened to codes, grants, tokens and clients, told to the host's `onEvent` for its
 * logs, metrics and alerts. An event carries ids (client, grant, subject), never a credential (no
 * token, code or secret, nor a hash of one); a listener that throws or rejects never breaks the
 * request it was told about.
 *
 * @module
 */

/** Fields every event has. */
export interface OAuthEventBase {
  /** When it happened, in seconds since the epoch (the server's clock). */
  time: number;
}

/** The ids of an event about a grant (its code, tokens or revocation). */
export interface GrantEventIds {
  /** The client the grant is for. */
  clientId: string;
  /** Whom it acts for: the user who approved (or the client itself for client_credentials). */
  subject: string;
  /** The grant. */
  grantId: string;
}

/** An authorization code was issued after the user approved (RFC 6749 §4.1.2); `grantId` is the grant it creates. */
export interface AuthorizationCodeIssuedEvent extends OAuthEventBase, GrantEventIds {
  /** Its kind. */
  type: "authorization_code.issued";
}

/** An authorization code was redeemed at the token endpoint: its grant now exists (RFC 6749 §4.1.3). */
export interface AuthorizationCodeRedeemedEvent extends OAuthEventBase, GrantEventIds {
  /** Its kind. */
  type: "authorization_code.redeemed";
}

/**
 * An authorization code was presented again: refused, and the grant its first use created (`grantId`)
 * revoked with every token of it (RFC 6749 §4.1.2, RFC 9700 §4.2.4). A sign of a stolen code.
 */
export interface AuthorizationCodeReplayedEvent extends OAuthEventBase, GrantEventIds {
  /** Its kind. */
  type: "authorization_code.replayed";
  /** The client that presented it again (the same as `clientId`, unless another one tried). */
  presentedBy: string;
}

/** A refresh token was used: new tokens were issued (rotated, or the grace window's repeat). */
export interface RefreshTokenRotatedEvent extends OAuthEventBase, GrantEventIds {
  /** Its kind. */
  type: "refresh_token.rotated";
}

/**
 * A refresh token that had been rotated out was used again: refused, and its grant (`grantId`, the
 * token family) revoked with every token of it (RFC 9700 §4.14.2). A sign of a stolen refresh token.
 */
export interface RefreshTokenReusedEvent extends OAuthEventBase, GrantEventIds {
  /** Its kind. */
  type: "refresh_token.reused";
}

/** A client revoked one of its tokens at the revocation endpoint (RFC 7009 §2.1). */
export interface TokensRevokedEvent extends OAuthEventBase, GrantEventIds {
  /** Its kind. */
  type: "tokens.revoked";
  /** `access_token`: that token alone; `refresh_token`: its whole grant. */
  tokenType: "access_token" | "refresh_token";
}

/** A client was registered (RFC 7591), updated or deleted (RFC 7592). */
export interface ClientChangedEvent extends OAuthEventBase {
  /** Its kind. */
  type: "client.registered" | "client.updated" | "client.deleted";
  /** The client. */
  clientId: string;
}

/** A client ID metadata document was fetched and accepted (not told for cache hits). */
export interface ClientMetadataDocumentFetchedEvent extends OAuthEventBase {
  /** Its kind. */
  type: "client_metadata_document.fetched";
  /** The document's URL, which is the client id. */
  clientId: string;
}

/** A client ID metadata document was refused (not fetched, or fetched and invalid). */
export interface ClientMetadataDocumentRefusedEvent extends OAuthEventBase {
  /** Its kind. */
  type: "client_metadata_document.refused";
  /** The document's URL, which is the client id. */
  clientId: string;
  /** The refusal's `error_description`, as the client saw it. */
  reason: string;
}

/** Client authentication failed at the token endpoint (RFC 6749 §5.2 `invalid_client`). */
export interface ClientAuthenticationFailedEvent extends OAuthEventBase {
  /** Its kind. */
  type: "client_authentication.failed";
  /** The client id the request named (Basic user name or `client_id`), if any. */
  clientId: string | undefined;
  /** The refusal's `error_description`. */
  reason: string;
}

/**
 * Everything `onEvent` is told about; `type` tells them apart (`switch (event.type)` narrows).
 *
 * @example
 * ```ts
 * const onEvent = (event: OAuthEvent) => {
 *   if (event.type === "refresh_token.reused") alert(`grant ${event.grantId} of ${event.clientId} revoked`);
 * };
 * ```
 */
export type OAuthEvent =
  | AuthorizationCodeIssuedEvent
  | AuthorizationCodeRedeemedEvent
  | AuthorizationCodeReplayedEvent
  | RefreshTokenRotatedEvent
  | RefreshTokenReusedEvent
  | TokensRevokedEvent
  | ClientChangedEvent
  | ClientMetadataDocumentFetchedEvent
  | ClientMetadataDocumentRefusedEvent
  | ClientAuthenticationFailedEvent;

/** The `type` of each {@link OAuthEvent}. */
export type OAuthEventType = OAuthEvent["type"];

/**
 * The host's listener (the `onEvent` option). It runs after the fact, while the request is
 * answered; what it throws, or a promise it returns that rejects, goes to `onError` (default: the
 * log) and never changes the answer.
 */
export type OAuthEventListener = (event: OAuthEvent) => void | Promise<void>;

/** An event as the emitters build it: the emitter adds `time`. */
export type OAuthEventInput = OAuthEvent extends infer E ? (E extends OAuthEvent ? Omit<E, "time"> : never) : never;

/** How grants and endpoints tell events: never throws, never waits for the listener. */
export type EmitEvent = (event: OAuthEventInput) => void;

/**
 * The emitter of a listener: adds the time, calls the listener, and turns whatever it throws or
 * rejects with into a report, so the request goes on.
 *
 * @param listener - the host's `onEvent`, or `undefined` (then nothing is done).
 * @param now - the clock, in seconds since the epoch.
 * @param report - where a failing listener is reported.
 */
export function eventEmitter(
  listener: OAuthEventListener | undefined,
  now: () => number,
  report: (error: unknown) => void,
): EmitEvent | undefined {
  if (listener === undefined) return undefined;
  const safeReport = (error: unknown) => {
    try {
      report(error);
    } catch {
      // A failing reporter must not break the request either.
    }
  };
  return (event) => {
    try {
      const result = listener({ ...event, time: now() } as OAuthEvent);
      if (result !== undefined && typeof (result as Promise<void>).then === "function") (result as Promise<void>).then(undefined, safeReport);
    } catch (error) {
      safeReport(error);
    }
  };
}
