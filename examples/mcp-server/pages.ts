/**
 * The demo's HTML: a sign-in form and a consent page. Every value is escaped (a self-registered
 * client chooses its own name); every form carries the CSRF token and the original authorization
 * request (which the server re-validates). Inline CSS only: no fonts or scripts from elsewhere.
 */
import type { AuthorizationRequest } from "oauthkit";

const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** What each scope lets the client do, in words; a scope not listed is shown as it is. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  mcp: "Use the MCP tools of this server on your behalf",
  offline_access: "Stay connected when you are away (refresh tokens)",
  openid: "Know who you are on this server",
  profile: "See your name and profile",
  email: "See your email address",
};

const STYLE = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:#f3f4f7;color:#1b2230;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;padding:3rem 1rem;-webkit-text-size-adjust:100%}
main{max-width:26rem;margin:0 auto;background:#fff;border:1px solid #e3e6eb;border-radius:16px;box-shadow:0 1px 2px rgba(16,24,40,.05),0 12px 32px rgba(16,24,40,.08);padding:2rem}
.brand{display:flex;align-items:center;gap:.6rem;margin:0 0 1.75rem;color:#5a6372;font-size:.875rem}
.mark{display:inline-grid;place-items:center;width:1.75rem;height:1.75rem;border-radius:8px;background:#2451d3;color:#fff;font-weight:700;font-size:.9rem}
.brand strong{color:#1b2230}
h1{font-size:1.375rem;line-height:1.3;margin:0 0 .5rem;letter-spacing:-.01em;overflow-wrap:anywhere}
h2{font-size:.8125rem;text-transform:uppercase;letter-spacing:.04em;color:#5a6372;margin:1.5rem 0 .5rem}
p{margin:.5rem 0}
.lead{color:#5a6372;margin:0 0 1.25rem}
.name{overflow-wrap:anywhere;font-weight:650;color:#1b2230}
.badge{display:inline-block;vertical-align:.1em;padding:.05rem .55rem;border-radius:999px;font-size:.75rem;font-weight:600;line-height:1.5;white-space:nowrap}
.unverified{background:#fff1db;color:#8a4a00;border:1px solid #f5d19a}
.verified{background:#e4f5ea;color:#17663a;border:1px solid #b5e0c4}
.warning{background:#fff8ec;border:1px solid #f5d19a;color:#6b3c00;border-radius:10px;padding:.75rem .9rem;font-size:.875rem;margin:1rem 0}
.alert{background:#fdecec;border:1px solid #f3b8b8;color:#8f1d1d;border-radius:10px;padding:.75rem .9rem;font-size:.875rem;margin:0 0 1rem}
.facts{margin:1rem 0 0;border:1px solid #e3e6eb;border-radius:12px;overflow:hidden}
.facts div{padding:.7rem .9rem}
.facts div+div{border-top:1px solid #e3e6eb}
.facts dt{font-size:.8125rem;color:#5a6372}
.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.facts small{font-weight:400;color:#5a6372}
ul.scopes{list-style:none;margin:0;padding:0}
ul.scopes li{display:flex;gap:.6rem;align-items:flex-start;padding:.45rem 0}
.check{flex:none;display:inline-grid;place-items:center;width:1.25rem;height:1.25rem;margin-top:.15rem;border-radius:50%;background:#e8eefc;color:#2451d3;font-size:.75rem;font-weight:700}
ul.scopes code{display:block;font-size:.75rem;color:#5a6372}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
label{display:block;font-weight:600;font-size:.875rem;margin:1rem 0 .35rem}
input{width:100%;font:inherit;padding:.7rem .8rem;border:1px solid #c9ced6;border-radius:10px;background:#fff;color:inherit}
input:focus{outline:3px solid #c7d5fa;border-color:#2451d3}
.actions{display:flex;flex-direction:column;gap:.6rem;margin-top:1.5rem}
button{font:inherit;font-weight:600;width:100%;padding:.75rem 1rem;border-radius:10px;border:1px solid transparent;cursor:pointer}
button.primary{background:#2451d3;color:#fff}
button.primary:hover{background:#1d43b3}
button.secondary{background:#fff;color:#1b2230;border-color:#c9ced6}
button.secondary:hover{background:#f3f4f7}
button:focus-visible{outline:3px solid #c7d5fa;outline-offset:2px}
.foot{margin-top:1.25rem;font-size:.8125rem;color:#5a6372;text-align:center}
@media (max-width:480px){body{padding:1rem .75rem}main{padding:1.5rem 1.25rem;border-radius:14px}}`;

function page(title: string, site: string, body: string, options: { setCookie?: string; status?: number; retryAfter?: number } = {}): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<style>${STYLE}</style>
</head><body><main>
<p class="brand"><span class="mark" aria-hidden="true">O</span><span><strong>oauthkit demo</strong> · ${escape(site)}</span></p>
${body}
</main></body></html>`;
  const headers: Record<string, string> = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    // The consent page must not be framed (clickjacking, RFC 9700 §4.7). Nothing but the inline
    // style may load or run, so a client name that escaped escaping still could not run script.
    // (No form-action: the browser would apply it to the redirect back to the client.)
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
  };
  if (options.setCookie !== undefined) headers["Set-Cookie"] = options.setCookie;
  if (options.retryAfter !== undefined) headers["Retry-After"] = String(options.retryAfter);
  return new Response(html, { status: options.status ?? 200, headers });
}

const hidden = (csrf: string, query: string) =>
  `<input type="hidden" name="csrf" value="${escape(csrf)}"><input type="hidden" name="query" value="${escape(query)}">`;

/** How the client is presented: a self-registered client's name is its own claim. */
export interface ClientView {
  /** Listed by the operator (not registered through DCR or a metadata document). */
  verified: boolean;
}

/** The client's name as it chose it, cut at 60 characters so that a long one cannot push the page's facts out of sight. */
function displayName(client: AuthorizationRequest["client"]): string {
  const characters = Array.from(client.client_name ?? client.client_id);
  return escape(characters.length > 60 ? `${characters.slice(0, 59).join("")}…` : characters.join(""));
}

function clientName(request: AuthorizationRequest, view: ClientView): string {
  const name = displayName(request.client);
  const badge = view.verified
    ? `<span class="badge verified" id="client-status">Verified</span>`
    : `<span class="badge unverified" id="client-status">Unverified</span>`;
  // A plain space, so that a badge wrapped to the next line starts flush with it.
  return `<span class="name" id="client-name">${name}</span> ${badge}`;
}

/** Where the code goes: the redirect URI's host, or for an app's own scheme, the scheme. */
function redirectTarget(redirectUri: string): string {
  const url = new URL(redirectUri);
  if (url.protocol !== "http:" && url.protocol !== "https:") return `${escape(url.protocol)} <small>(an app on your device)</small>`;
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return `${escape(url.host)}${loopback ? " <small>(an app on this computer)</small>" : ""}`;
}

/**
 * The sign-in form (200), or with `status`/`retryAfter` the same form answering a throttled
 * attempt; it names the client with its verification status.
 */
export function signInPage(options: {
  site: string;
  csrf: string;
  query: string;
  request: AuthorizationRequest;
  client: ClientView;
  error?: string;
  status?: number;
  retryAfter?: number;
  setCookie?: string;
}): Response {
  return page(
    "Sign in",
    options.site,
    `<h1>Sign in</h1>
<p class="lead">to continue to ${clientName(options.request, options.client)}</p>
${options.error ? `<p class="alert" role="alert">${escape(options.error)}</p>` : ""}<form method="post" action="/authorize">${hidden(options.csrf, options.query)}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button type="submit" class="primary" name="action" value="sign-in">Sign in</button>
<button type="submit" class="secondary" name="deny" value="1" formnovalidate>Cancel</button></div></form>`,
    options,
  );
}

/**
 * The consent page: the client's name and whether it is verified, the host the code will be
 * redirected to, the scopes in words and the resource; Allow (primary) and Deny.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7 (clickjacking), https://www.rfc-editor.org/rfc/rfc6819#section-5.2.4.2 (informing the user of the client)
 */
export function consentPage(options: {
  site: string;
  csrf: string;
  query: string;
  request: AuthorizationRequest;
  client: ClientView;
  user: string;
  setCookie?: string;
  /** Where the form posts (default `/authorize`), and what else it carries (hidden fields). */
  action?: string;
  fields?: Record<string, string>;
}): Response {
  const { client, scope, resource, redirectUri } = options.request;
  const name = displayName(client);
  const warning = options.client.verified
    ? ""
    : `<p class="warning">This app registered itself, so nobody has checked that it is really <strong>${name}</strong>. Allow it only if you started this from that app just now.</p>`;
  const scopes = scope.length === 0
    ? `<p>Nothing beyond knowing that you allowed it.</p>`
    : `<ul class="scopes">${scope
        .map((item) => {
          const words = SCOPE_DESCRIPTIONS[item];
          return `<li class="scope" data-scope="${escape(item)}"><span class="check" aria-hidden="true">✓</span><span>${
            words === undefined ? `<code>${escape(item)}</code>` : `${escape(words)}<code>${escape(item)}</code>`
          }</span></li>`;
        })
        .join("")}</ul>`;
  const identifiedBy = client.host === undefined ? "" : `<div><dt>Identified by</dt><dd id="client-host">${escape(client.host)}</dd></div>`;
  return page(
    "Allow access?",
    options.site,
    `<h1>Allow ${name} to access your account?</h1>
${warning}<dl class="facts"><div><dt>App</dt><dd>${clientName(options.request, options.client)}</dd></div>${identifiedBy}
<div><dt>You will be sent back to</dt><dd id="redirect-host">${redirectTarget(redirectUri)}</dd></div>
<div><dt>Resource</dt><dd id="resource">${resource.length === 0 ? "This server" : resource.map((item) => escape(item)).join("<br>")}</dd></div></dl>
<h2>It will be able to</h2>${scopes}
<form method="post" action="${escape(options.action ?? "/authorize")}">${hidden(options.csrf, options.query)}${Object.entries(options.fields ?? {})
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join("")}
<div class="actions"><button type="submit" class="primary" name="approve" value="1">Allow</button>
<button type="submit" class="secondary" name="deny" value="1">Deny</button></div></form>
<p class="foot">Signed in as <strong>${escape(options.user)}</strong></p>`,
    options,
  );
}

/** The answer to a sign-in while throttled: 429, Retry-After, and the form to try again later. */
export function throttledPage(options: Parameters<typeof signInPage>[0] & { retryAfter: number }): Response {
  const minutes = Math.ceil(options.retryAfter / 60);
  const wait = options.retryAfter < 60 ? `${options.retryAfter} seconds` : `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return signInPage({ ...options, status: 429, error: `Too many failed sign-in attempts. Try again in ${wait}.` });
}

/** One row of the Connected apps page (what `oauth.listGrants` returns, as shown). */
export interface ConnectedApp {
  grantId: string;
  clientId: string;
  clientName?: string;
  scope: string[];
  createdAt: number;
  lastUsedAt: number;
}

const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/**
 * The signed-in user's grants, each with a Disconnect button (a POST carrying the session's CSRF
 * token); or, signed out, a sign-in form that comes back here.
 */
export function connectedAppsPage(options: {
  site: string;
  csrf: string;
  user?: string;
  apps?: readonly ConnectedApp[];
  notice?: string;
  error?: string;
  setCookie?: string;
  status?: number;
}): Response {
  const { site, csrf } = options;
  const extra = { ...(options.setCookie === undefined ? {} : { setCookie: options.setCookie }), ...(options.status === undefined ? {} : { status: options.status }) };
  const alert = options.error === undefined ? "" : `<p class="alert" role="alert">${escape(options.error)}</p>`;
  if (options.user === undefined) {
    return page(
      "Connected apps",
      site,
      `<h1>Connected apps</h1><p class="lead">Sign in to see the apps that can access your account.</p>${alert}
<form method="post" action="/connected-apps"><input type="hidden" name="csrf" value="${escape(csrf)}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button class="primary" name="action" value="sign-in">Sign in</button></div></form>`,
      extra,
    );
  }
  const apps = options.apps ?? [];
  const notice = options.notice === undefined ? "" : `<p class="warning" role="status">${escape(options.notice)}</p>`;
  const rows = apps
    .map(
      (app) => `<div class="app" data-client-id="${escape(app.clientId)}"><dt><span class="name">${escape(app.clientName ?? app.clientId)}</span>
<small> · ${escape(app.scope.map((scope) => SCOPE_DESCRIPTIONS[scope] ?? scope).join(", ") || "no scopes")}</small></dt>
<dd><small>Connected ${day(app.createdAt)} · last used ${day(app.lastUsedAt)}</small>
<form method="post" action="/connected-apps"><input type="hidden" name="csrf" value="${escape(csrf)}"><input type="hidden" name="grant" value="${escape(app.grantId)}">
<button class="secondary" name="action" value="disconnect">Disconnect</button></form></dd></div>`,
    )
    .join("\n");
  return page(
    "Connected apps",
    site,
    `<h1>Connected apps</h1><p class="lead">Signed in as <span class="name">${escape(options.user)}</span>. These apps can act on your account until you disconnect them.</p>${notice}${alert}
${apps.length === 0 ? `<p id="no-apps">No app is connected to your account.</p>` : `<dl class="facts" id="apps">${rows}</dl>`}`,
    extra,
  );
}
