/**
 * The authorization endpoint of the demo: oauthkit validates the request and issues the code; the
 * host (this file) signs the user in, throttles failed sign-ins, and asks for consent.
 */
import { type AuthorizationRequest, type AuthorizationServer, type RequestParameters, isOAuthError, parseFormBody } from "oauthkit";
import { consentPage, signInPage, throttledPage } from "./pages.js";
import { type SessionStore, createSessionStore, validCsrf } from "./session.js";
import { type SignInThrottle, type SignInThrottleOptions, checkSignIn, createSignInThrottle } from "./throttle.js";

/** The demo's one account. */
export interface DemoUser {
  username: string;
  password: string;
}

/** Options of {@link createAuthorizeHandler}; `createApp` fills them in. */
export interface AuthorizeHandlerOptions {
  issuer: string;
  demo: DemoUser;
  /** Clock in seconds since the epoch. */
  now: () => number;
  /** Client IDs the operator vouches for; every other client registered itself and is shown as unverified. */
  verifiedClients: ReadonlySet<string>;
  signInThrottle?: SignInThrottleOptions;
  /** Sessions shared with the Connected apps page (default: the handler's own). */
  sessions?: SessionStore;
  /** The sign-in throttle shared with the Connected apps page (default: the handler's own). */
  throttle?: SignInThrottle;
}

/**
 * Whether to skip the consent page: the user approved this client for at least this scope and
 * resource before (a live grant), and the code can only reach the client. That holds for an https
 * redirect URI; a loopback or private-use one can be answered by any app on the device, so such a
 * request is processed as if nothing had been approved (RFC 8252 §8.6).
 */
export function rememberedConsent(oauth: AuthorizationServer, request: AuthorizationRequest, subject: string): Promise<boolean> | false {
  return (
    new URL(request.redirectUri).protocol === "https:" &&
    oauth.hasRememberedConsent({ subject, clientId: request.client.client_id, scope: request.scope, resource: request.resource })
  );
}

/**
 * Creates the demo's `/authorize` handler: GET shows the sign-in or consent page, POST signs in
 * (throttled), approves or denies.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export function createAuthorizeHandler(oauth: AuthorizationServer, options: AuthorizeHandlerOptions) {
  const { issuer, demo, now } = options;
  // The authorization request always comes from the original query string, re-validated on every
  // step: a copy carried by the browser could have been altered.
  const parse = (query: string) => oauth.parseAuthorizationRequest(new Request(`${issuer}/authorize?${query}`));
  const sessions = options.sessions ?? createSessionStore({ secure: issuer.startsWith("https:"), now });
  const throttle = options.throttle ?? createSignInThrottle({ ...options.signInThrottle, now });
  const site = new URL(issuer).host;

  const remembered = (request: AuthorizationRequest, subject: string) => rememberedConsent(oauth, request, subject);

  /**
   * @param clientAddress the address the request came from, as the server knows it (the socket's,
   *   or a trusted proxy's X-Forwarded-For); without one, sign-in is throttled per username only.
   */
  return async function authorize(request: Request, clientAddress?: string): Promise<Response> {
    const session = sessions.get(request);
    if (request.method === "GET") {
      const query = new URL(request.url).search.slice(1);
      const authRequest = await parse(query);
      if (authRequest instanceof Response) return authRequest;
      const client = { verified: options.verifiedClients.has(authRequest.client.client_id) };
      if (session !== undefined) {
        if (await remembered(authRequest, session.user)) return oauth.issueAuthorizationCode(authRequest, { subject: session.user });
        return consentPage({ site, csrf: session.csrf, query, request: authRequest, client, user: session.user });
      }
      // No session is created for an anonymous visitor: only a nonce cookie, nothing stored.
      const { csrf, setCookie } = await sessions.anonymousCsrf(request);
      return signInPage({ site, csrf, query, request: authRequest, client, ...(setCookie ? { setCookie } : {}) });
    }
    if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "GET, POST" } });

    let form: RequestParameters;
    try {
      form = await parseFormBody(request); // form-encoded, at most 64 KiB, no repeated fields
    } catch (error) {
      if (isOAuthError(error)) return new Response("Bad form.", { status: error.status });
      throw error;
    }
    // The sign-in form carries the token of the visitor's nonce cookie, the consent form the
    // session's; a form with neither did not come from this site.
    const fromSession = session !== undefined && validCsrf(session, form);
    const fromSignIn = await sessions.validAnonymousCsrf(request, form);
    if (!fromSession && !fromSignIn) return new Response("The form has expired or did not come from this site.", { status: 403 });
    const query = form.get("query") ?? "";
    const authRequest = await parse(query);
    if (authRequest instanceof Response) return authRequest;
    const client = { verified: options.verifiedClients.has(authRequest.client.client_id) };

    // First: Cancel on the sign-in page posts the (empty) username and password fields too.
    if (form.get("deny") !== undefined) return oauth.denyAuthorization(authRequest); // from consent, or Cancel on sign-in
    if (form.get("username") !== undefined) {
      const anonymous = await sessions.anonymousCsrf(request);
      const result = checkSignIn(throttle, demo, form, clientAddress);
      if (typeof result === "object") return throttledPage({ site, ...anonymous, query, request: authRequest, client, retryAfter: result.retryAfter });
      if (result === "wrong") return signInPage({ site, ...anonymous, query, request: authRequest, client, error: "Wrong username or password." });
      const signedIn = sessions.signIn(request, demo.username);
      if (await remembered(authRequest, demo.username)) {
        const redirect = await oauth.issueAuthorizationCode(authRequest, { subject: demo.username });
        redirect.headers.append("Set-Cookie", signedIn.setCookie);
        return redirect;
      }
      return consentPage({ site, csrf: signedIn.session.csrf, query, request: authRequest, client, user: demo.username, setCookie: signedIn.setCookie });
    }
    if (!fromSession) return signInPage({ site, ...(await sessions.anonymousCsrf(request)), query, request: authRequest, client });
    if (form.get("approve") !== undefined) return oauth.issueAuthorizationCode(authRequest, { subject: session!.user });
    return oauth.denyAuthorization(authRequest);
  };
}
