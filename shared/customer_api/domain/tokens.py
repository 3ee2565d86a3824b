"""HS256 JWTs: issued and verified with keys from Secrets Manager, algorithm and audience pinned.

Each secret is JSON {"current": key, "previous": key-or-empty}: tokens are signed with the
current key and accepted with either, so a rotation does not log everybody out at once.
"""

from __future__ import annotations

import time
from typing import Any

import jwt

from customer_api import store
from customer_api.core.errors import InvalidToken
from customer_api.core.settings import settings

ALGORITHM = "HS256"
CUSTOMER = "customer"  # audience of customer tokens
ADMIN = "admin"  # audience of admin access tokens (and admin session tokens)
ADMIN_REFRESH = "admin-refresh"  # audience of admin refresh tokens: never accepted on a route

_REQUIRED_CLAIMS = ["exp", "iat", "aud", "sid"]


def _secret_name(audience: str) -> str:
    config = settings()
    name = config.customer_token_secret if audience == CUSTOMER else config.admin_token_secret
    if not name:
        raise RuntimeError(f"no token secret is configured for {audience} tokens")
    return name


def signing_keys(audience: str) -> list[str]:
    """Current key first, then the previous one while a rotation is under way."""
    secret = store.active().read_secret(_secret_name(audience), settings().secret_cache_seconds)
    return [key for key in (secret.get("current"), secret.get("previous")) if key]


def issue(audience: str, claims: dict[str, Any], lifetime_seconds: int) -> str:
    issued_at = int(time.time())  # PyJWT checks against the real clock too
    payload = {**claims, "aud": audience, "iat": issued_at, "exp": issued_at + lifetime_seconds}
    return jwt.encode(payload, signing_keys(audience)[0], algorithm=ALGORITHM)


def audience_of(token: str) -> str | None:
    """The audience a token claims, unverified: only to pick the key to verify it with."""
    try:
        claimed = jwt.decode(token, options={"verify_signature": False}).get("aud")
    except jwt.PyJWTError:
        return None
    return claimed if isinstance(claimed, str) else None


def verify(token: str, audience: str) -> dict[str, Any]:
    """The claims of a token signed by us for this audience, unexpired; else InvalidToken."""
    for key in signing_keys(audience):
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=audience,
                options={"require": _REQUIRED_CLAIMS, "strict_aud": True},
                leeway=0,
            )
        except jwt.InvalidSignatureError:
            continue  # maybe signed with the previous key
        except jwt.PyJWTError as error:
            raise InvalidToken() from error
        if not isinstance(claims.get("sid"), str):
            raise InvalidToken()
        return claims
    raise InvalidToken()
