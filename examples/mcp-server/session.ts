/**
 * The demo's sign-in session and CSRF protection.
 *
 * A session exists only once someone has signed in: a random id in an HttpOnly, SameSite=Lax
 * cookie (Secure on https) and a per-session CSRF token every form carries back. An anonymous
 * visitor gets no stored state at all, only a random nonce cookie; the sign-in form's CSRF token
 * is an HMAC of that nonce under a key of this process (a signed double-submit cookie). So any
 * number of cookie-less `GET /authorize` cannot push a signed-in user's session out of the
 * bounded store. In memory, bounded and short-lived: a real host uses its own session store.
 */
import { type RequestParameters, generateToken, timingSafeEqualString } from "oauthkit";

/** A signed-in session. */
export interface Session {
  id: string;
  csrf: string;
  user: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const LIFETIME_SECONDS = 15 * 60; // long enough to sign in and decide

function cookie(request: Request, name: string): string | undefined {
  return new RegExp(`(?:^|;\\s*)${name}=([A-Za-z0-9_-]{43})(?:;|$)`).exec(request.headers.get("cookie") ?? "")?.[1];
}

/**
 * A store of signed-in sessions, bounded (`maxSessions`, default 10,000; then expired sessions and
 * then the oldest go first) and per app instance.
 *
 * @param options.secure whether the site is https: then the cookies are Secure and `__Host-`
 *   prefixed, so a sibling subdomain cannot plant one (RFC 6265bis §4.1.3.2).
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#signed-double-submit-cookie-recommended
 */
export function createSessionStore(options: { secure: boolean; now: () => number; maxSessions?: number }) {
  const maxSessions = options.maxSessions ?? 10_000;
  const prefix = options.secure ? "__Host-" : "";
  const SESSION_COOKIE = `${prefix}oauthkit_demo_session`;
  const SIGN_IN_COOKIE = `${prefix}oauthkit_demo_signin`;
  const sessions = new Map<string, Session>();
  const attributes = `Path=/; Max-Age=${LIFETIME_SECONDS}; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}`;
  const key = crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]) as Promise<CryptoKey>;
  const signInCsrf = async (nonce: string) => {
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(`sign-in:${nonce}`)));
    return btoa(String.fromCharCode(...mac)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  return {
    /** The request's live signed-in session, if it has one. */
    get(request: Request): Session | undefined {
      const id = cookie(request, SESSION_COOKIE);
      const existing = id === undefined ? undefined : sessions.get(id);
      if (existing === undefined || existing.expiresAt > options.now()) return existing;
      sessions.delete(existing.id);
      return undefined;
    },

    /**
     * The sign-in form's CSRF token for an anonymous visitor, from the nonce cookie it brought or a
     * new one (then `setCookie` must be sent back). Nothing is stored.
     */
    async anonymousCsrf(request: Request): Promise<{ csrf: string; setCookie?: string }> {
      const nonce = cookie(request, SIGN_IN_COOKIE);
      if (nonce !== undefined) return { csrf: await signInCsrf(nonce) };
      const fresh = generateToken();
      return { csrf: await signInCsrf(fresh), setCookie: `${SIGN_IN_COOKIE}=${fresh}; ${attributes}` };
    },

    /** Whether a posted sign-in form carries the token of the nonce cookie sent with it (constant time). */
    async validAnonymousCsrf(request: Request, form: RequestParameters): Promise<boolean> {
      const nonce = cookie(request, SIGN_IN_COOKIE);
      return nonce !== undefined && timingSafeEqualString(form.get("csrf") ?? "", await signInCsrf(nonce));
    },

    /**
     * Signs `user` in on a fresh session (new id and CSRF token), dropping the request's previous
     * one, so no id known before sign-in is worth anything after it (session fixation).
     */
    signIn(request: Request, user: string): { session: Session; setCookie: string } {
      const previous = cookie(request, SESSION_COOKIE);
      if (previous !== undefined) sessions.delete(previous);
      const now = options.now();
      if (sessions.size >= maxSessions) {
        // Map order is insertion order: expired sessions go first, then the oldest live one.
        for (const [id, stale] of sessions) {
          if (stale.expiresAt > now) break;
          sessions.delete(id);
        }
        if (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value!);
      }
      const session: Session = { id: generateToken(), csrf: generateToken(), user, expiresAt: now + LIFETIME_SECONDS };
      sessions.set(session.id, session);
      return { session, setCookie: `${SESSION_COOKIE}=${session.id}; ${attributes}` };
    },

    /** How many sessions are stored (for tests). */
    get size(): number {
      return sessions.size;
    },
  };
}

/** A store of signed-in sessions (see {@link createSessionStore}), shared by the demo's pages. */
export type SessionStore = ReturnType<typeof createSessionStore>;

/** Whether a posted form carries this session's CSRF token (compared in constant time). */
export function validCsrf(session: Session, form: RequestParameters): boolean {
  return timingSafeEqualString(form.get("csrf") ?? "", session.csrf);
}
