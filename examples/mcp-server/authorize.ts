/**
 * The authorization endpoint of the demo: oauthkit validates the request and issues the code; the
 * host (this file) signs the user in and asks for consent.
 */
import { type AuthorizationServer, type RequestParameters, isOAuthError, parseFormBody, timingSafeEqualString } from "oauthkit";
import { consentPage, signInPage } from "./pages.js";
import { session, signIn, validCsrf } from "./session.js";

export interface DemoUser {
  username: string;
  password: string;
}

export function createAuthorizeHandler(oauth: AuthorizationServer, issuer: string, demo: DemoUser) {
  // The authorization request always comes from the original query string, re-validated on every
  // step: a copy carried by the browser could have been altered.
  const parse = (query: string) => oauth.parseAuthorizationRequest(new Request(`${issuer}/authorize?${query}`));
  const cookie = { secure: issuer.startsWith("https:") };

  return async function authorize(request: Request): Promise<Response> {
    const { session: current, setCookie } = session(request, cookie);
    if (request.method === "GET") {
      const query = new URL(request.url).search.slice(1);
      const authRequest = await parse(query);
      if (authRequest instanceof Response) return authRequest;
      if (current.user === undefined) return signInPage({ csrf: current.csrf, query, ...(setCookie ? { setCookie } : {}) });
      return consentPage({ csrf: current.csrf, query, request: authRequest, user: current.user });
    }
    if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "GET, POST" } });

    let form: RequestParameters;
    try {
      form = await parseFormBody(request); // form-encoded, at most 64 KiB, no repeated fields
    } catch (error) {
      if (isOAuthError(error)) return new Response("Bad form.", { status: error.status });
      throw error;
    }
    if (setCookie !== undefined || !validCsrf(current, form)) {
      return new Response("The form has expired or did not come from this site.", { status: 403 });
    }
    const query = form.get("query") ?? "";
    const authRequest = await parse(query);
    if (authRequest instanceof Response) return authRequest;

    if (form.get("username") !== undefined) {
      // Both compared in constant time, and both always compared.
      const user = timingSafeEqualString(form.get("username") ?? "", demo.username);
      const password = timingSafeEqualString(form.get("password") ?? "", demo.password);
      if (!(user && password)) return signInPage({ csrf: current.csrf, query, error: "Wrong username or password." });
      const signedIn = signIn(current, demo.username, cookie);
      return consentPage({ csrf: signedIn.session.csrf, query, request: authRequest, user: demo.username, setCookie: signedIn.setCookie });
    }
    if (current.user === undefined) return signInPage({ csrf: current.csrf, query });
    if (form.get("approve") !== undefined) return oauth.issueAuthorizationCode(authRequest, { subject: current.user });
    return oauth.denyAuthorization(authRequest);
  };
}
