/**
 * The authorization endpoint of the demo: oauthkit validates the request and issues the code; the
 * host (this file) signs the user in and asks for consent.
 */
import type { AuthorizationServer } from "oauthkit";
import { consentPage, signInPage } from "./pages.js";
import { session, validCsrf } from "./session.js";

export interface DemoUser {
  username: string;
  password: string;
}

export function createAuthorizeHandler(oauth: AuthorizationServer, issuer: string, demo: DemoUser) {
  // The authorization request always comes from the original query string, re-validated on every
  // step: a copy carried by the browser could have been altered.
  const parse = (query: string) => oauth.parseAuthorizationRequest(new Request(`${issuer}/authorize?${query}`));

  return async function authorize(request: Request): Promise<Response> {
    const { session: current, setCookie } = session(request);
    if (request.method === "GET") {
      const query = new URL(request.url).search.slice(1);
      const authRequest = await parse(query);
      if (authRequest instanceof Response) return authRequest;
      if (current.user === undefined) return signInPage({ csrf: current.csrf, query, ...(setCookie ? { setCookie } : {}) });
      return consentPage({ csrf: current.csrf, query, request: authRequest, user: current.user });
    }
    if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "GET, POST" } });

    const form = new URLSearchParams(await request.text());
    if (setCookie !== undefined || !validCsrf(current, form)) {
      return new Response("The form has expired or did not come from this site.", { status: 403 });
    }
    const query = form.get("query") ?? "";
    const authRequest = await parse(query);
    if (authRequest instanceof Response) return authRequest;

    if (form.has("username")) {
      if (form.get("username") !== demo.username || form.get("password") !== demo.password) {
        return signInPage({ csrf: current.csrf, query, error: "Wrong username or password." });
      }
      current.user = demo.username;
      return consentPage({ csrf: current.csrf, query, request: authRequest, user: current.user });
    }
    if (current.user === undefined) return signInPage({ csrf: current.csrf, query });
    if (form.has("approve")) return oauth.issueAuthorizationCode(authRequest, { subject: current.user });
    return oauth.denyAuthorization(authRequest);
  };
}
