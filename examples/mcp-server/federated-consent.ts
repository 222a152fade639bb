/**
 * Federated mode's consent step. Users sign in at the upstream, whose consent screen is about our
 * server, not about the app asking: with one upstream client for every app that registers here, an
 * upstream that remembers that consent would let any self-registered app get a code for a signed-in
 * user without a click (the confused deputy of MCP's security best practices). So after the
 * upstream callback the user is asked here, per app, exactly as in the local flow; the sign-in
 * travels through the form sealed (`UpstreamSignIn.sealed`), nothing is stored for it.
 *
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/security_best_practices#confused-deputy-problem
 */
import { type AuthorizationServer, type Federation, type RequestParameters, type UpstreamSignIn, isOAuthError, parseFormBody } from "oauthkit";
import { rememberedConsent } from "./authorize.js";
import { consentPage } from "./pages.js";
import type { SessionStore } from "./session.js";

/** Options of {@link createFederatedConsent}. */
export interface FederatedConsentOptions {
  issuer: string;
  /** For the consent form's CSRF token (a nonce cookie; nothing is stored). */
  sessions: SessionStore;
  /** Client IDs the operator vouches for; every other client is shown as unverified. */
  verifiedClients: ReadonlySet<string>;
}

/** The path the consent form posts to. */
export const FEDERATED_CONSENT_PATH = "/upstream/consent";

export function createFederatedConsent(oauth: AuthorizationServer, federation: Federation, options: FederatedConsentOptions) {
  const site = new URL(options.issuer).host;
  const plain = (status: number, text: string) => new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });

  return {
    /** After the upstream callback: the code at once if the user approved this app before, else the consent page. */
    async ask(request: Request, signIn: UpstreamSignIn): Promise<Response> {
      if (await rememberedConsent(oauth, signIn.request, signIn.identity.subject)) return federation.approve(signIn);
      const { csrf, setCookie } = await options.sessions.anonymousCsrf(request);
      return consentPage({
        site,
        csrf,
        query: "",
        request: signIn.request,
        client: { verified: options.verifiedClients.has(signIn.request.client.client_id) },
        user: signIn.identity.subject,
        action: FEDERATED_CONSENT_PATH,
        fields: { sign_in: signIn.sealed },
        ...(setCookie === undefined ? {} : { setCookie }),
      });
    },

    /** The consent form's POST: Allow issues the code, Deny answers access_denied to the app. */
    async decide(request: Request): Promise<Response> {
      if (request.method !== "POST") return new Response("Method not allowed", { status: 405, headers: { Allow: "POST" } });
      let form: RequestParameters;
      try {
        form = await parseFormBody(request);
      } catch (error) {
        if (isOAuthError(error)) return plain(error.status, "Bad form.");
        throw error;
      }
      if (!(await options.sessions.validAnonymousCsrf(request, form))) return plain(403, "The form has expired or did not come from this site.");
      const signIn = await federation.openSignIn(form.get("sign_in") ?? "");
      if (signIn === undefined) return plain(400, "This sign-in has expired. Start again from the application.");
      if (form.get("approve") !== undefined) return federation.approve(signIn);
      return oauth.denyAuthorization(signIn.request);
    },
  };
}
