/**
 * The demo's sign-in session and CSRF protection: a random session id in an HttpOnly,
 * SameSite=Lax cookie (Secure on https), and a per-session CSRF token that every form carries back.
 * In memory, bounded and short-lived: a real host uses its own session store.
 */
import { type RequestParameters, generateToken, timingSafeEqualString } from "oauthkit";

export interface Session {
  id: string;
  csrf: string;
  user?: string;
  expiresAt: number;
}

const COOKIE = "oauthkit_demo_session";
const LIFETIME_MS = 15 * 60 * 1000; // long enough to sign in and decide
const MAX_SESSIONS = 10_000; // anonymous visitors cannot grow the map without bound
const sessions = new Map<string, Session>();

function create(secure: boolean, user?: string): { session: Session; setCookie: string } {
  const session: Session = { id: generateToken(), csrf: generateToken(), expiresAt: Date.now() + LIFETIME_MS, ...(user ? { user } : {}) };
  // Map order is insertion order: the first entry is the oldest session.
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
  sessions.set(session.id, session);
  const attributes = `Path=/; Max-Age=${LIFETIME_MS / 1000}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
  return { session, setCookie: `${COOKIE}=${session.id}; ${attributes}` };
}

/** The request's live session, or a new one (then `setCookie` must be sent back). */
export function session(request: Request, options: { secure: boolean }): { session: Session; setCookie?: string } {
  const id = /(?:^|;\s*)oauthkit_demo_session=([A-Za-z0-9_-]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  const existing = id === undefined ? undefined : sessions.get(id);
  if (existing !== undefined && existing.expiresAt > Date.now()) return { session: existing };
  if (existing !== undefined) sessions.delete(existing.id);
  return create(options.secure);
}

/**
 * Signs `user` in on a fresh session (new id and CSRF token), dropping the old one, so an id
 * planted before sign-in is worth nothing after it (session fixation).
 */
export function signIn(previous: Session, user: string, options: { secure: boolean }): { session: Session; setCookie: string } {
  sessions.delete(previous.id);
  return create(options.secure, user);
}

/** Whether a posted form carries this session's CSRF token (compared in constant time). */
export function validCsrf(session: Session, form: RequestParameters): boolean {
  return timingSafeEqualString(form.get("csrf") ?? "", session.csrf);
}
