/**
 * The "Connected apps" page: a signed-in user sees the apps they have authorized (oauthkit's
 * `listGrants`) and disconnects one (`revokeGrant`, which checks that the grant is theirs). Every
 * POST carries the session's CSRF token, as the consent form does; signing in here uses the same
 * sessions and throttle as the authorization endpoint.
 */
import { type AuthorizationServer, type RequestParameters, isOAuthError, parseFormBody } from "oauthkit";
import type { DemoUser } from "./authorize.js";
import { connectedAppsPage } from "./pages.js";
import { type SessionStore, validCsrf } from "./session.js";
import { type SignInThrottle, checkSignIn } from "./throttle.js";

/** Options of {@link createConnectedAppsHandler}; `createApp` fills them in. */
export interface ConnectedAppsOptions {
  issuer: string;
  demo: DemoUser;
  sessions: SessionStore;
  throttle: SignInThrottle;
}

const seeOther = (issuer: string, notice?: string): Response =>
  new Response(null, { status: 303, headers: { Location: `${issuer}/connected-apps${notice === undefined ? "" : "?disconnected=1"}`, "Cache-Control": "no-store" } });

/**
 * Creates the `/connected-apps` handler: GET shows the page (or a sign-in form), POST signs in or
 * disconnects one grant, then redirects back (303, so a reload does not post again).
 */
export function createConnectedAppsHandler(oauth: AuthorizationServer, options: ConnectedAppsOptions) {
  const { issuer, sessions } = options;
  const site = new URL(issuer).host;

  async function list(user: string, csrf: string, extra: { notice?: string; error?: string; setCookie?: string } = {}) {
    const apps = await oauth.listGrants(user);
    return connectedAppsPage({ site, csrf, user, apps, ...extra });
  }

  return async function connectedApps(request: Request, clientAddress?: string): Promise<Response> {
    const session = sessions.get(request);
    if (request.method === "GET") {
      if (session !== undefined) {
        const disconnected = new URL(request.url).searchParams.has("disconnected");
        return list(session.user, session.csrf, disconnected ? { notice: "The app was disconnected: its tokens no longer work." } : {});
      }
      const { csrf, setCookie } = await sessions.anonymousCsrf(request);
      return connectedAppsPage({ site, csrf, ...(setCookie ? { setCookie } : {}) });
    }
    if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "GET, POST" } });
    let form: RequestParameters;
    try {
      form = await parseFormBody(request);
    } catch (error) {
      if (isOAuthError(error)) return new Response("Bad form.", { status: error.status });
      throw error;
    }
    const action = form.get("action");
    if (action === "disconnect") {
      if (session === undefined || !validCsrf(session, form)) return new Response("The form has expired or did not come from this site.", { status: 403 });
      // revokeGrant refuses a grant id that is not this user's: the id comes from the form.
      const revoked = await oauth.revokeGrant({ subject: session.user, grantId: form.get("grant") ?? "" });
      if (!revoked) return list(session.user, session.csrf, { error: "That app is not connected to your account." });
      return seeOther(issuer, "disconnected");
    }
    if (action === "sign-in") {
      if (!(await sessions.validAnonymousCsrf(request, form))) return new Response("The form has expired or did not come from this site.", { status: 403 });
      const anonymous = await sessions.anonymousCsrf(request);
      const result = checkSignIn(options.throttle, options.demo, form, clientAddress);
      if (result !== "ok") {
        const error = result === "wrong" ? "Wrong username or password." : `Too many failed sign-ins. Try again in ${result.retryAfter} seconds.`;
        return connectedAppsPage({ site, ...anonymous, error, status: result === "wrong" ? 200 : 429 });
      }
      const signedIn = sessions.signIn(request, options.demo.username);
      return new Response(null, { status: 303, headers: { Location: `${issuer}/connected-apps`, "Set-Cookie": signedIn.setCookie, "Cache-Control": "no-store" } });
    }
    return new Response("Unknown action.", { status: 400 });
  };
}
