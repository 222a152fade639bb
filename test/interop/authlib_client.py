"""Drives oauthkit with Python's authlib (OAuth2Session on requests), for test/interop/authlib.test.ts.

Usage: /usr/bin/python3 authlib_client.py <scenario> <origin>
Client credentials come from the environment: CLIENT_ID, CLIENT_SECRET (absent for public
clients; neither for the "dcr" scenario, which registers its own client), AUTH_METHOD (client_secret_basic, client_secret_post or none), and for introspection on
behalf of a public client INTROSPECT_ID / INTROSPECT_SECRET (the resource server's credential).

Prints one JSON object on stdout: what the server answered, for the test to assert on. Anything
unexpected (a failed iss check, a network error) raises, so the script exits non-zero with the
traceback on stderr.
"""
import json
import os
import sys
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError

REDIRECT_URI = "http://127.0.0.1:53123/callback"
SCOPE = "read write"
TIMEOUT = 10


def http():
    """A requests session that never goes through a proxy from the environment (127.0.0.1 only)."""
    session = requests.Session()
    session.trust_env = False
    return session


def discover(origin):
    response = http().get(f"{origin}/.well-known/oauth-authorization-server", timeout=TIMEOUT)
    response.raise_for_status()
    return response.json()


def oauth_session(client_id, client_secret, method, **extra):
    session = OAuth2Session(
        client_id=client_id,
        client_secret=client_secret,
        token_endpoint_auth_method=method,
        # authlib defaults this to client_secret_basic whenever there is a secret, whatever the
        # token endpoint method; the server wants the method the client registered.
        revocation_endpoint_auth_method=extra.pop("revocation_method", method),
        scope=SCOPE,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        **extra,
    )
    session.trust_env = False
    return session


def authorize(session, metadata, origin):
    """The authorization request (PKCE S256), its redirect read without following it, and the
    RFC 9207 check that `iss` in the response is the issuer."""
    verifier = generate_token(64)
    url, state = session.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, resource=f"{origin}/api"
    )
    response = http().get(url, allow_redirects=False, timeout=TIMEOUT)
    location = response.headers.get("location", "")
    params = parse_qs(urlsplit(location).query)
    iss = params.get("iss", [None])[0]
    if iss != metadata["issuer"]:
        raise AssertionError(f"RFC 9207: iss {iss!r} is not the issuer {metadata['issuer']!r}")
    return {"status": response.status_code, "location": location, "state": state, "verifier": verifier, "iss": iss}


def exchange(session, metadata, auth):
    return session.fetch_token(
        metadata["token_endpoint"],
        authorization_response=auth["location"],
        state=auth["state"],
        code_verifier=auth["verifier"],
        timeout=TIMEOUT,
    )


def call_api(origin, access_token):
    response = http().get(f"{origin}/api", headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT)
    return {
        "status": response.status_code,
        "body": response.json() if response.headers.get("content-type", "").startswith("application/json") else None,
        "www_authenticate": response.headers.get("www-authenticate"),
    }


def oauth_error(call):
    """Runs `call`, which must fail with an OAuth error response; returns the error code."""
    try:
        call()
    except OAuthError as error:
        return {"error": error.error, "description": error.description}
    raise AssertionError("the request was expected to fail with an OAuth error")


def introspect(session, metadata, token, method):
    # A public client has no credential to introspect with: the resource server's is used.
    auth = None
    if method == "none":
        auth = (os.environ["INTROSPECT_ID"], os.environ["INTROSPECT_SECRET"])
    response = session.introspect_token(
        metadata["introspection_endpoint"], token=token, token_type_hint="access_token", auth=auth, timeout=TIMEOUT
    )
    return {"status": response.status_code, "body": response.json()}


def credentials():
    return os.environ.get("CLIENT_ID"), os.environ.get("CLIENT_SECRET") or None, os.environ["AUTH_METHOD"]


def flow(origin, client_id, client_secret, method):
    """Code + PKCE, API call, refresh with rotation, introspection, revocation."""
    metadata = discover(origin)
    session = oauth_session(client_id, client_secret, method)
    auth = authorize(session, metadata, origin)
    token = dict(exchange(session, metadata, auth))
    api = call_api(origin, token["access_token"])
    refreshed = dict(session.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"], timeout=TIMEOUT))
    api_refreshed = call_api(origin, refreshed["access_token"])
    introspection = introspect(session, metadata, refreshed["access_token"], method)
    revocation = session.revoke_token(
        metadata["revocation_endpoint"], token=refreshed["refresh_token"], token_type_hint="refresh_token", timeout=TIMEOUT
    )
    api_revoked = call_api(origin, refreshed["access_token"])
    introspection_revoked = introspect(session, metadata, refreshed["access_token"], method)
    return {
        "issuer": metadata["issuer"],
        "authorize": {"status": auth["status"], "iss": auth["iss"]},
        "token": {key: token.get(key) for key in ("token_type", "scope", "expires_in")},
        "has_refresh_token": "refresh_token" in token,
        "api": api,
        "rotated": refreshed["refresh_token"] != token["refresh_token"],
        "new_access_token": refreshed["access_token"] != token["access_token"],
        "api_refreshed": api_refreshed,
        "introspection": introspection,
        "revocation": {"status": revocation.status_code},
        "api_revoked": api_revoked,
        "introspection_revoked": introspection_revoked,
        # For the test to look the revoked grant up in the store.
        "final": {"access_token": refreshed["access_token"], "refresh_token": refreshed["refresh_token"]},
    }


def rotation(origin, client_id, client_secret, method):
    """The refresh token rotated out, presented again, is reuse (RFC 9700 §4.14.2)."""
    metadata = discover(origin)
    session = oauth_session(client_id, client_secret, method)
    token = dict(exchange(session, metadata, authorize(session, metadata, origin)))
    refreshed = dict(session.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"], timeout=TIMEOUT))
    replay = oauth_error(lambda: session.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"], timeout=TIMEOUT))
    successor = oauth_error(lambda: session.refresh_token(metadata["token_endpoint"], refresh_token=refreshed["refresh_token"], timeout=TIMEOUT))
    return {
        "rotated": refreshed["refresh_token"] != token["refresh_token"],
        "replay": replay,
        "successor_after_reuse": successor,
        "api_after_reuse": call_api(origin, refreshed["access_token"]),
        "successor": refreshed["refresh_token"],
    }


def wrong_secret(origin, client_id, client_secret, method):
    """The token request with a wrong secret, then the same code with the right one."""
    metadata = discover(origin)
    statuses = []
    wrong = oauth_session(client_id, client_secret + "x", method)
    wrong.register_compliance_hook("access_token_response", lambda response: statuses.append(
        {"status": response.status_code, "www_authenticate": response.headers.get("www-authenticate")}) or response)
    auth = authorize(wrong, metadata, origin)
    refused = oauth_error(lambda: exchange(wrong, metadata, auth))
    right = oauth_session(client_id, client_secret, method)
    token = dict(exchange(right, metadata, auth))
    return {"refused": {**refused, **statuses[0]}, "then_with_right_secret": {"token_type": token.get("token_type")}}


def revoke_with_default_method(origin, client_id, client_secret, method):
    """authlib's default revocation auth (client_secret_basic) for a client registered otherwise."""
    metadata = discover(origin)
    session = oauth_session(client_id, client_secret, method, revocation_method=None)
    token = dict(exchange(session, metadata, authorize(session, metadata, origin)))
    response = session.revoke_token(metadata["revocation_endpoint"], token=token["refresh_token"], timeout=TIMEOUT)
    return {
        "sent_basic": response.request.headers.get("authorization", "").startswith("Basic "),
        "status": response.status_code,
        "body": response.json(),
        "api": call_api(origin, token["access_token"]),
    }


def exchange_only(origin, client_id, client_secret, method):
    """Just the code exchange, to see how the server takes the credentials authlib sends."""
    metadata = discover(origin)
    session = oauth_session(client_id, client_secret, method)
    auth = authorize(session, metadata, origin)
    try:
        token = dict(exchange(session, metadata, auth))
        return {"ok": True, "token_type": token.get("token_type")}
    except OAuthError as error:
        return {"ok": False, "error": error.error}


def dcr(origin, _client_id, _client_secret, method):
    """Registers a client (RFC 7591) with a plain JSON POST, then runs the whole flow with it."""
    metadata = discover(origin)
    body = {
        "client_name": "authlib interop",
        "redirect_uris": ["http://127.0.0.1/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": method,
        "scope": SCOPE,
    }
    response = http().post(metadata["registration_endpoint"], json=body, timeout=TIMEOUT)
    registered = response.json()
    result = {
        "registration": {
            "status": response.status_code,
            "token_endpoint_auth_method": registered.get("token_endpoint_auth_method"),
            "has_client_secret": "client_secret" in registered,
        }
    }
    if response.status_code != 201:
        return result
    secret = registered.get("client_secret")
    result["flow"] = flow(origin, registered["client_id"], secret, method)
    return result


SCENARIOS = {
    "flow": flow,
    "rotation": rotation,
    "wrong-secret": wrong_secret,
    "revoke-default-method": revoke_with_default_method,
    "exchange": exchange_only,
    "dcr": dcr,
}

if __name__ == "__main__":
    scenario, origin = sys.argv[1], sys.argv[2]
    print(json.dumps(SCENARIOS[scenario](origin, *credentials())))
