/**
 * The demo's sign-in session and CSRF protection: a random session id in an HttpOnly,
 * SameSite=Lax cookie, and a per-session CSRF token that every form carries back.
 * (In-memory: a real host uses its own session store.)
 */
import { generateToken, timingSafeEqualString } from "oauthkit";

export interface Session {
  id: string;
  csrf: string;
  user?: string;
}

const COOKIE = "oauthkit_demo_session";
const sessions = new Map<string, Session>();

/** The request's session, or a new one (then `setCookie` must be sent back). */
export function session(request: Request): { session: Session; setCookie?: string } {
  const id = /(?:^|;\s*)oauthkit_demo_session=([A-Za-z0-9_-]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  const existing = id === undefined ? undefined : sessions.get(id);
  if (existing !== undefined) return { session: existing };
  const created: Session = { id: generateToken(), csrf: generateToken() };
  sessions.set(created.id, created);
  return { session: created, setCookie: `${COOKIE}=${created.id}; Path=/; HttpOnly; SameSite=Lax` };
}

/** Whether a posted form carries this session's CSRF token (compared in constant time). */
export function validCsrf(session: Session, form: URLSearchParams): boolean {
  return timingSafeEqualString(form.get("csrf") ?? "", session.csrf);
}
