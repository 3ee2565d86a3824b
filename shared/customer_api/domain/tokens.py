"""HS256 JWTs: issued and verified with keys from Secrets Manager, algorithm and audience pinned.

Each secret is JSON {"current": key, "previous": key-or-empty}: tokens are signed with the
current key and accepted with either, so a rotation does not log everybody out at once.

Each token names its key in the `kid` header, an id derived from the key itself (so the secret
needs no ids), and is verified with that key alone. A kid the container's cached keys lack
makes it read the secret anew past the cache, at most once per secret per
SECRET_REFETCH_SECONDS: a token of a new key works at once, and a container that has seen one
refuses a retired key's tokens from then on; every container does within SECRET_CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

import jwt

from customer_api import store
from customer_api.core import clock
from customer_api.core.errors import InvalidToken
from customer_api.core.settings import settings

ALGORITHM = "HS256"
CUSTOMER = "customer"  # audience of customer tokens (login tokens and access tokens alike)
CUSTOMER_REFRESH = "customer-refresh"  # audience of customer refresh tokens: the refresh route only
ADMIN = "admin"  # audience of admin access tokens (and admin session tokens)
ADMIN_REFRESH = "admin-refresh"  # audience of admin refresh tokens: never accepted on a route

_REQUIRED_CLAIMS = ["exp", "iat", "aud", "sid"]
KEY_ID_LENGTH = 16  # hex digits of the key's SHA-256: names the key, reveals nothing of it


class RefetchGuard:
    """At most one read past the cache per secret per SECRET_REFETCH_SECONDS in a container, so
    that tokens with made-up key ids cannot turn every request into a Secrets Manager call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}

    def allow(self, name: str) -> bool:
        """Whether `name` may be read anew now (and if so, the window starts now)."""
        now = clock.now()
        with self._lock:
            last = self._last.get(name)
            if last is not None and last <= now < last + settings().secret_refetch_seconds:
                return False
            self._last[name] = now
            return True

    def forget(self) -> None:
        """Allow the next read anew at once (tests)."""
        with self._lock:
            self._last.clear()


refetches = RefetchGuard()


def key_id(key: str) -> str:
    """The `kid` of a key."""
    return hashlib.sha256(key.encode()).hexdigest()[:KEY_ID_LENGTH]


def _secret_name(audience: str) -> str:
    config = settings()
    name = config.customer_token_secret if audience in (CUSTOMER, CUSTOMER_REFRESH) else config.admin_token_secret
    if not name:
        raise RuntimeError(f"no token secret is configured for {audience} tokens")
    return name


def _keys(audience: str, *, fresh: bool = False) -> dict[str, str]:
    """The keys by kid, current first, then the previous one while a rotation is under way."""
    secret = store.active().read_secret(_secret_name(audience), settings().secret_cache_seconds, fresh=fresh)
    return {key_id(key): key for key in (secret.get("current"), secret.get("previous")) if key}


def _keys_read_anew(audience: str) -> dict[str, str] | None:
    """The keys read past the cache; None when the guard allows no such read yet (one was
    made within SECRET_REFETCH_SECONDS, so the cache is that fresh)."""
    return _keys(audience, fresh=True) if refetches.allow(_secret_name(audience)) else None


def signing_keys(audience: str) -> list[str]:
    """Current key first, then the previous one while a rotation is under way."""
    return list(_keys(audience).values())


def issue(audience: str, claims: dict[str, Any], lifetime_seconds: int) -> str:
    issued_at = int(time.time())  # PyJWT checks against the real clock too
    payload = {**claims, "aud": audience, "iat": issued_at, "exp": issued_at + lifetime_seconds}
    key = signing_keys(audience)[0]
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": key_id(key)})


def audience_of(token: str) -> str | None:
    """The audience a token claims, unverified: only to pick the key to verify it with."""
    try:
        claimed = jwt.decode(token, options={"verify_signature": False}).get("aud")
    except jwt.PyJWTError:
        return None
    return claimed if isinstance(claimed, str) else None


def _candidate_keys(token: str, audience: str) -> list[str]:
    """The key the token's kid names, read anew if the cached keys lack it. A token without
    kid (issued before tokens named their keys) gets the current and previous keys, read anew
    unless the guard says the cache is fresh."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")  # PyJWT refuses a kid not a string
    except jwt.PyJWTError as error:
        raise InvalidToken() from error
    if kid is None:
        fresh = _keys_read_anew(audience)
        return list((_keys(audience) if fresh is None else fresh).values())
    key = _keys(audience).get(kid)
    if key is None:
        key = (_keys_read_anew(audience) or {}).get(kid)
    return [key] if key else []


def proof_of(token: str) -> str:
    """What an admin session keeps of its token: its SHA-256, which names the exact token
    (claims and signature) and cannot be turned back into it."""
    return hashlib.sha256(token.encode()).hexdigest()


def bound_claims(token: str, audience: str) -> dict[str, Any]:
    """The claims of a token checked for shape, audience and expiry but NOT its signature: only
    for a caller that then compares the whole token with the proof its session keeps."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            options={"verify_signature": False, "verify_exp": True, "verify_aud": True, "require": _REQUIRED_CLAIMS},
            audience=audience,
            algorithms=[ALGORITHM],
            leeway=0,
        )
    except jwt.PyJWTError as error:
        raise InvalidToken() from error
    if not isinstance(claims.get("sid"), str):
        raise InvalidToken()
    return claims


def verify(token: str, audience: str) -> dict[str, Any]:
    """The claims of a token signed by us for this audience, unexpired; else InvalidToken."""
    for key in _candidate_keys(token, audience):
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
            continue  # a token without kid: maybe signed with the previous key
        except jwt.PyJWTError as error:
            raise InvalidToken() from error
        if not isinstance(claims.get("sid"), str):
            raise InvalidToken()
        return claims
    raise InvalidToken()
