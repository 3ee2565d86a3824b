"""bcrypt hashing and checking, at the configured cost."""

from __future__ import annotations

import bcrypt

from customer_api.core.settings import settings
from customer_api.domain.inputs import MAX_PASSWORD_BYTES


def hash_password(password: str) -> str:
    """Hash a validated password (at most 72 bytes, no NUL)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(settings().bcrypt_rounds)).decode()


def _stand_in_hash() -> bytes:
    # A well-formed hash at the configured cost that no password matches: checking against it
    # costs what a real check costs, so an unknown email takes as long as a wrong password.
    return f"$2b${settings().bcrypt_rounds:02d}${'.' * 53}".encode()


def password_matches(password: str, password_hash: str | None) -> bool:
    """One bcrypt check, always: against the stored hash, or a stand-in when there is none."""
    candidate = password.encode("utf-8")
    if len(candidate) > MAX_PASSWORD_BYTES or b"\x00" in candidate:
        # No stored password is like this (create refuses them); bcrypt would raise or truncate.
        bcrypt.checkpw(b"", _stand_in_hash())
        return False
    if password_hash is None:
        bcrypt.checkpw(candidate, _stand_in_hash())
        return False
    return bcrypt.checkpw(candidate, password_hash.encode())
