"""Password recovery: a reset token for a customer who forgot their password, and a new password
set with it, every session ended in the same write.

The token is `<customer uuid>.<secret>` (256 random bits): the uuid finds the customer with one
read, the secret proves the mail was read. Only the token's SHA-256 is stored, on the customer,
with its expiry and the token as KMS encrypted it for the reset event (customer.events); the
plaintext leaves this module only inside that ciphertext.

A reset request makes the same calls whoever the email belongs to, each with the same outcome
and answers of about the same size, so that its timing does not tell who is a customer
(bench/reset_timing.py measures it):
- the email's request counter (UpdateItem), every email alike;
- the email's claim, then a customer (GetItem twice; for an unknown email the made-up NOBODY),
  each read for the few attributes needed: a hit answers little more than a miss (moto spent
  milliseconds serializing a whole customer that a miss never has);
- one KMS Encrypt (for an unknown or disabled email, a token for NOBODY);
- one committed UpdateItem of the reset's attributes, nothing coming back: on the customer's item
  for an enabled customer (its stream record makes the reset event), on a NOBODY#<email> item
  of the sessions table otherwise (no stream there: no event; NOBODY's token opens no account,
  and the item expires with it). A write for nobody refused by its condition, as before, did not
  do: DynamoDB answers a refused write without writing it, measurably sooner.

Equal calls still leave the engine's part unequal: a found item is bigger than a miss, and a
customer's write feeds its table's stream and index (DynamoDB Local does that inside the write).
So the request also answers no sooner than `reset_answer_seconds` after it began, whoever asked:
while the calls take less than that, every answer takes the same time."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets

from customer_api import store
from customer_api.core import clock
from customer_api.core.errors import InvalidResetToken
from customer_api.core.records import Customer, PasswordReset, PrincipalKind, email_key
from customer_api.core.settings import settings
from customer_api.domain.customers import retrying_lost_races
from customer_api.domain.passwords import hash_password

PURPOSE = "password-reset"
# Nobody's uuid (uuid4s are never all zeros): what an unknown or disabled email's calls are made for.
NOBODY = "0" * 32
_UUID = re.compile(r"[0-9a-f]{32}")


def encryption_context(customer_uuid: str) -> dict[str, str]:
    """What a reset token is encrypted under: the mailer names the same to decrypt it."""
    return {"customer_uuid": customer_uuid, "purpose": PURPOSE}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(customer_uuid: str) -> str:
    """A reset token: the customer's uuid, a dot, 256 random bits."""
    return f"{customer_uuid}.{secrets.token_urlsafe(32)}"


def _sealed_reset(customer_uuid: str, now: int) -> PasswordReset:
    token = new_token(customer_uuid)
    return PasswordReset(
        token_hash=token_hash(token),
        expires_at=now + settings().reset_token_seconds,
        encrypted_token=store.active().seal(token, encryption_context(customer_uuid)),
    )


def request_password_reset(email: str) -> None:
    """Count the request (every email alike: TooManyResetRequests past the limit), then give an
    enabled customer a new reset token, replacing any older one. Unknown and disabled emails get
    nothing, after the same calls, each with the same outcome, and every answer waits for the
    same moment (see the module's docstring)."""
    answer_at = clock.monotonic() + settings().reset_answer_seconds
    _give_reset_token(email)
    clock.pause_until(answer_at)


def _give_reset_token(email: str) -> None:
    key, now = email_key(email), int(clock.now())
    db, config = store.active(), settings()
    db.take_reset_request(key, now, window_seconds=config.reset_window_seconds, max_requests=config.reset_max_requests)
    target = db.reset_target(db.email_owner(key) or NOBODY)
    enabled = target if target is not None and target.status == 1 else None
    reset = _sealed_reset(enabled.uuid if enabled else NOBODY, now)
    if enabled is None:
        db.save_reset_for_nobody(key, reset)
        return

    # The customer as just read first; read again only after losing a race.
    first_read = iter([enabled])

    def save() -> None:
        current = next(first_read, None) or db.reset_target(enabled.uuid)
        if current is not None and current.status == 1:  # deleted or disabled meanwhile: nothing
            db.save_reset(current, reset)

    retrying_lost_races(save)


def _owner(token: str) -> str:
    customer_uuid, dot, secret = token.partition(".")
    if not dot or not secret or not _UUID.fullmatch(customer_uuid):
        raise InvalidResetToken()
    return customer_uuid


def _spendable(current: Customer | None, presented_hash: str, now: float) -> Customer:
    """The customer, if the token is theirs, pending and unexpired (and they are enabled)."""
    reset = current.reset if current else None
    if current is None or reset is None or current.status != 1 or reset.expires_at <= now:
        raise InvalidResetToken()
    if not hmac.compare_digest(reset.token_hash, presented_hash):
        raise InvalidResetToken()
    return current


def reset_password(token: str, new_password: str) -> Customer:
    """Set a new password with a reset token: the token spent, the password changed and every
    session ended in one conditional write (as the token was read: a replaced, spent or expired
    token loses). InvalidResetToken for any token that is not the pending one."""
    customer_uuid = _owner(token)
    presented, new_hash = token_hash(token), hash_password(new_password)
    db = store.active()

    def spend() -> Customer:
        current = _spendable(db.get_customer(customer_uuid), presented, clock.now())
        changed = dataclasses.replace(
            current,
            password_hash=new_hash,
            session_epoch=current.session_epoch + 1,
            reset=None,
            updated_at=clock.timestamp(),
        )
        return db.save_customer(current, changed)

    saved = retrying_lost_races(spend)
    # Housekeeping only: the epoch bump already ended every session.
    db.sweep_sessions(PrincipalKind.CUSTOMER, customer_uuid)
    return saved
