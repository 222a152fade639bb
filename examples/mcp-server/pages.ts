/**
 * The demo's HTML: a sign-in form and a consent page. Every value is escaped; every form carries
 * the CSRF token and the original authorization request (which the server re-validates).
 */
import type { AuthorizationRequest } from "oauthkit";

const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function page(title: string, body: string, setCookie?: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.75rem 0}
input{width:100%;padding:.4rem}button{padding:.5rem 1rem;margin-right:.5rem}code{background:#f3f3f3;padding:0 .2rem}</style>
</head><body>${body}</body></html>`;
  const headers: Record<string, string> = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    // The consent page must not be framed (clickjacking, RFC 9700 §4.7).
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
  };
  if (setCookie !== undefined) headers["Set-Cookie"] = setCookie;
  return new Response(html, { headers });
}

const hidden = (csrf: string, query: string) =>
  `<input type="hidden" name="csrf" value="${escape(csrf)}"><input type="hidden" name="query" value="${escape(query)}">`;

export function signInPage(options: { csrf: string; query: string; error?: string; setCookie?: string }): Response {
  return page(
    "Sign in",
    `<h1>Sign in</h1>${options.error ? `<p role="alert">${escape(options.error)}</p>` : ""}
<form method="post" action="/authorize">${hidden(options.csrf, options.query)}
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit" name="action" value="sign-in">Sign in</button></form>`,
    options.setCookie,
  );
}

export function consentPage(options: { csrf: string; query: string; request: AuthorizationRequest; user: string; setCookie?: string }): Response {
  const { client, scope, resource } = options.request;
  const name = client.client_name ?? client.client_id;
  const host = client.host === undefined ? "" : ` <small>(from <code>${escape(client.host)}</code>)</small>`;
  const list = (items: string[], none: string) =>
    items.length === 0 ? `<p>${none}</p>` : `<ul>${items.map((item) => `<li><code>${escape(item)}</code></li>`).join("")}</ul>`;
  return page(
    "Authorize",
    `<h1>Authorize ${escape(name)}</h1><p>Signed in as <strong>${escape(options.user)}</strong>.</p>
<p><strong>${escape(name)}</strong>${host} asks for access.</p>
<h2>Scopes</h2>${list(scope, "No scopes.")}<h2>Resource</h2>${list(resource, "Any resource.")}
<form method="post" action="/authorize">${hidden(options.csrf, options.query)}
<button type="submit" name="approve" value="1">Approve</button><button type="submit" name="deny" value="1">Deny</button></form>`,
    options.setCookie,
  );
}
