"""bcrypt hashing and checking, at the configured cost, in equal time for every failure."""

from __future__ import annotations

import re

import bcrypt

from customer_api.core.settings import settings
from customer_api.domain.inputs import MAX_PASSWORD_BYTES

# $2a$ (EverShop's bcryptjs), $2b$ (ours), $2y$ (PHP): the same algorithm.
_BCRYPT_COST = re.compile(r"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")


def hash_password(password: str) -> str:
    """Hash a validated password (at most 72 bytes, no NUL) at the configured cost."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(settings().bcrypt_rounds)).decode()


def cost_of(password_hash: str) -> int | None:
    """The bcrypt cost of a stored hash; None when it is no bcrypt hash."""
    found = _BCRYPT_COST.fullmatch(password_hash)
    return int(found.group(1)) if found else None


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash is at another cost than the configured one."""
    return cost_of(password_hash) != settings().bcrypt_rounds


def _stand_in_hash(cost: int) -> bytes:
    # A well-formed hash that no password matches: checking against it costs what a real check
    # at that cost costs.
    return f"$2b${cost:02d}${'.' * 53}".encode()


def _pad_to_configured_cost(cost: int) -> None:
    """Checks at `cost` adding up to the work of one check at the configured cost (bcrypt's work
    doubles with each step of cost), so that a wrong password on an account hashed at a lower
    cost (imported, or made before the cost was raised) takes as long as an unknown email."""
    stand_in = _stand_in_hash(cost)
    for _ in range(2 ** max(0, settings().bcrypt_rounds - cost) - 1):
        bcrypt.checkpw(b"", stand_in)


def password_matches(password: str, password_hash: str | None) -> bool:
    """Whether the password is the one hashed. A failure always costs the work of one check at
    the configured cost at least: against the stored hash (padded when its cost is lower), or a
    stand-in when there is none."""
    candidate = password.encode("utf-8")
    cost = cost_of(password_hash) if password_hash is not None else None
    # No stored password is over 72 bytes or has a NUL (create refuses them): bcrypt would raise.
    if password_hash is None or cost is None or len(candidate) > MAX_PASSWORD_BYTES or b"\x00" in candidate:
        bcrypt.checkpw(b"", _stand_in_hash(settings().bcrypt_rounds))
        return False
    if bcrypt.checkpw(candidate, password_hash.encode()):
        return True
    _pad_to_configured_cost(cost)
    return False
