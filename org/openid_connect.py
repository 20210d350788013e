"""The OpenID Connect client of single sign-on: the authorization code flow with PKCE.

1. `discover(issuer)` reads the provider's discovery document
   (<issuer>/.well-known/openid-configuration) and checks that it names the same issuer.
2. `authorization_request(...)` builds the address to send the person to, with a fresh
   `state` (ties the answer to this browser), `nonce` (ties the ID token to this request) and
   PKCE `code_verifier` (only its S256 `code_challenge` travels in the address). The caller
   keeps the returned `Pending` in the session.
3. `complete(...)` takes the provider's answer: checks the state, exchanges the code at the
   token endpoint (sending the code verifier and the client's secret), and verifies the ID
   token: its signature with the provider's published keys (jwks_uri), its issuer, audience,
   expiry and nonce. It returns the token's claims.

Why not allauth.socialaccount's openid_connect provider: it sends no nonce, and it skips the
ID token's signature when the token comes straight from the token endpoint (the specification
allows that over TLS); this app checks both, whatever the transport. Any failure raises
`SignOnFailed` with a message fit to show.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.core.cache import cache

# Signature algorithms accepted for ID tokens: asymmetric only (never "none", never a
# secret-keyed HS256 that anyone holding the client secret could forge).
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
SCOPE = "openid email profile"


class SignOnFailed(Exception):
    """The provider could not be reached, or its answer did not check out."""


@dataclass(frozen=True)
class Pending:
    """What the callback needs to check the answer to one authorization request."""

    state: str
    nonce: str
    code_verifier: str

    def as_dict(self) -> dict:
        return asdict(self)


def is_acceptable_issuer(url: str) -> bool:
    """HTTPS; plain HTTP only on this machine's loopback address, and only where the setting
    SINGLE_SIGN_ON_LOOPBACK_HTTP allows it (a provider run for tests or development)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return (
        settings.SINGLE_SIGN_ON_LOOPBACK_HTTP
        and parts.scheme == "http"
        and parts.hostname in {"127.0.0.1", "localhost", "::1"}
    )


def _get_json(url: str) -> dict:
    if not is_acceptable_issuer(url):
        raise SignOnFailed("The identity provider must be reached over HTTPS.")
    try:
        response = requests.get(url, timeout=settings.SINGLE_SIGN_ON_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignOnFailed(
            f"The identity provider did not answer ({exc.__class__.__name__})."
        ) from None


# The discovery document and the signing keys are kept this long in the cache, so a burst of
# sign-ins (or of someone starting sign-ins) asks the provider once; a token signed with a key
# not among the kept ones fetches the keys again.
KEPT_FOR = 600


def _cached_json(url: str, *, fresh: bool = False) -> dict:
    key = "oidc:" + hashlib.sha256(url.encode()).hexdigest()
    document = None if fresh else cache.get(key)
    if document is None:
        document = _get_json(url)
        cache.set(key, document, KEPT_FOR)
    return document


def discover(issuer: str) -> dict:
    """The provider's discovery document, checked to be about this issuer."""
    issuer = issuer.rstrip("/")
    document = _cached_json(f"{issuer}/.well-known/openid-configuration")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise SignOnFailed("The identity provider's discovery document names another issuer.")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not is_acceptable_issuer(str(document.get(key, ""))):
            raise SignOnFailed(f"The identity provider's discovery document lacks {key}.")
    return document


def _code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_request(
    *, discovery: dict, client_id: str, redirect_uri: str, login_hint: str
) -> tuple[str, Pending]:
    """The provider's authorization address for this person, and what to keep until the
    callback."""
    pending = Pending(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPE,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": _code_challenge(pending.code_verifier),
            "code_challenge_method": "S256",
            "login_hint": login_hint,
        }
    )
    endpoint = discovery["authorization_endpoint"]
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{query}", pending


def _exchange_code(
    *,
    discovery: dict,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    verifier: str,
) -> dict:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        "client_id": client_id,
    }
    methods = discovery.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth = None
    if "client_secret_post" in methods:
        data["client_secret"] = client_secret
    else:
        auth = (client_id, client_secret)
    try:
        response = requests.post(
            discovery["token_endpoint"],
            data=data,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=settings.SINGLE_SIGN_ON_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise SignOnFailed(
            f"The identity provider did not answer ({exc.__class__.__name__})."
        ) from None
    if response.status_code != 200:
        raise SignOnFailed("The identity provider refused to confirm the sign-in.")
    try:
        return response.json()
    except ValueError:
        raise SignOnFailed("The identity provider's answer was not understood.") from None


def _signing_keys(jwks_uri: str, kid: str | None) -> list:
    """The provider's keys that may have signed a token with this key id; the kept set first,
    fetched again when it has no such key (the provider rotated its keys)."""
    for fresh in (False, True):
        try:
            keys = jwt.PyJWKSet.from_dict(_cached_json(jwks_uri, fresh=fresh)).keys
        except jwt.PyJWTError:
            raise SignOnFailed("The identity provider's keys were not understood.") from None
        candidates = [k for k in keys if kid in (None, k.key_id)]
        if candidates:
            return candidates
    return []


def _verify_id_token(*, discovery: dict, client_id: str, token: str, nonce: str) -> dict:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise SignOnFailed("The identity provider's ID token is malformed.") from None
    if header.get("alg") not in ALGORITHMS:
        raise SignOnFailed("The identity provider's ID token is not signed with a public key.")
    candidates = _signing_keys(discovery["jwks_uri"], header.get("kid"))
    for key in candidates:
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[header["alg"]],
                audience=client_id,
                issuer=discovery["issuer"],
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
                leeway=60,
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise SignOnFailed(f"The identity provider's ID token is not valid ({exc}).") from None
        break
    else:
        raise SignOnFailed("The ID token's signature does not match the identity provider's keys.")
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignOnFailed("The ID token does not answer this sign-in (its nonce differs).")
    return claims


def complete(
    *,
    discovery: dict,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    pending: Pending,
    answer: dict[str, str],
) -> dict:
    """The ID token's claims for the provider's answer (the callback's query), once checked."""
    if not hmac.compare_digest(answer.get("state", ""), pending.state):
        raise SignOnFailed("This sign-in was not started in this browser, or has expired.")
    if answer.get("error"):
        raise SignOnFailed(f"The identity provider said: {answer['error']}.")
    code = answer.get("code", "")
    if not code:
        raise SignOnFailed("The identity provider sent no authorization code.")
    tokens = _exchange_code(
        discovery=discovery,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        code=code,
        verifier=pending.code_verifier,
    )
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise SignOnFailed("The identity provider sent no ID token.")
    return _verify_id_token(
        discovery=discovery, client_id=client_id, token=id_token, nonce=pending.nonce
    )
