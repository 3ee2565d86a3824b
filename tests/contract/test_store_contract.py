"""What every Store promises (customer_api.store.protocol), proven on each implementation."""

from __future__ import annotations

import dataclasses
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from customer_api.core.errors import (
    ConcurrentChange,
    CustomerNotFound,
    EmailTaken,
    TooManyLoginFailures,
    TooManyResetRequests,
)
from customer_api.core.records import (
    AdminUser,
    Customer,
    CustomerFieldsChange,
    LoginFailures,
    PasswordReset,
    PrincipalKind,
    ResetTarget,
    Session,
)
from customer_api.core.settings import settings
from customer_api.store.memory import MemoryStore
from customer_api.store.protocol import MAX_ITEMS_PER_CHANGE, Store

CUSTOMER = PrincipalKind.CUSTOMER
ADMIN = PrincipalKind.ADMIN
LATER = 4_000_000_000  # an expiry far ahead


def a_customer(db: Store, email: str | None = None, **fields: object) -> Customer:
    values: dict[str, object] = {
        "customer_id": db.next_customer_id(),
        "uuid": uuid.uuid4().hex,
        "status": 1,
        "group_id": 1,
        "email": email or f"c-{uuid.uuid4().hex[:8]}@shop.example.com",
        "full_name": "Jane Doe",
        "password_hash": "$2b$04$" + "." * 53,
        "created_at": "2026-11-30 10:00:00",
        "updated_at": "2026-11-30 10:00:00",
        **fields,
    }
    return Customer(**values)  # type: ignore[arg-type]


def stored_customer(db: Store, email: str | None = None, **fields: object) -> Customer:
    customer = a_customer(db, email, **fields)
    db.insert_customer(customer)
    return customer


def an_admin(email: str = "boss@shop.example.com") -> AdminUser:
    return AdminUser(uuid=uuid.uuid4().hex, email=email, full_name="Boss", password_hash="$2b$04$" + "." * 53)


def a_session(kind: PrincipalKind, principal: str, epoch: int = 0, expires_at: int = LATER) -> Session:
    return Session(sid=str(uuid.uuid4()), kind=kind, principal=principal, epoch=epoch, expires_at=expires_at)


# --- customers and their emails


def test_customer_ids_increase_and_are_never_handed_out_twice(any_store: Store) -> None:
    ids = [any_store.next_customer_id() for _ in range(5)]
    assert ids == sorted(set(ids))


def test_an_inserted_customer_reads_back_as_written(any_store: Store) -> None:
    customer = stored_customer(any_store)
    assert any_store.get_customer(customer.uuid) == customer


def test_an_unknown_customer_reads_as_none(any_store: Store) -> None:
    assert any_store.get_customer(uuid.uuid4().hex) is None


def test_an_email_taken_in_another_letter_case_refuses_the_insert_and_writes_nothing(any_store: Store) -> None:
    stored_customer(any_store, "Ann@Shop.example.com")
    twin = a_customer(any_store, "ann@shop.EXAMPLE.com")
    with pytest.raises(EmailTaken):
        any_store.insert_customer(twin)
    assert any_store.get_customer(twin.uuid) is None


def test_of_parallel_inserts_with_one_email_exactly_one_wins(thread_safe_store: Store) -> None:
    any_store = thread_safe_store
    contenders = [a_customer(any_store, "race@shop.example.com") for _ in range(8)]

    def insert(customer: Customer) -> bool:
        try:
            any_store.insert_customer(customer)
        except EmailTaken:
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(insert, contenders))
    assert won.count(True) == 1
    winner = contenders[won.index(True)]
    assert any_store.customer_for_login("race@shop.example.com")[0] == winner


def test_a_save_bumps_the_version_and_moves_the_email(any_store: Store) -> None:
    customer = stored_customer(any_store, "old@shop.example.com")
    saved = any_store.save_customer(customer, dataclasses.replace(customer, email="New@shop.example.com"))
    assert saved.version == customer.version + 1
    assert any_store.get_customer(customer.uuid) == saved
    assert any_store.customer_for_login("new@shop.example.com")[0] == saved
    assert any_store.customer_for_login("old@shop.example.com")[0] is None
    other = stored_customer(any_store, "old@shop.example.com")  # the old email is free again
    assert any_store.get_customer(other.uuid) == other


def test_a_save_from_a_stale_read_is_a_concurrent_change_and_writes_nothing(any_store: Store) -> None:
    customer = stored_customer(any_store)
    fresh = any_store.save_customer(customer, dataclasses.replace(customer, full_name="First"))
    with pytest.raises(ConcurrentChange):
        any_store.save_customer(customer, dataclasses.replace(customer, full_name="Second"))
    assert any_store.get_customer(customer.uuid) == fresh


def test_a_save_onto_a_taken_email_is_refused_and_writes_nothing(any_store: Store) -> None:
    stored_customer(any_store, "taken@shop.example.com")
    customer = stored_customer(any_store)
    with pytest.raises(EmailTaken):
        any_store.save_customer(customer, dataclasses.replace(customer, email="TAKEN@shop.example.com"))
    assert any_store.get_customer(customer.uuid) == customer


def test_a_delete_frees_the_email(any_store: Store) -> None:
    customer = stored_customer(any_store, "gone@shop.example.com")
    any_store.delete_customer(customer)
    assert any_store.get_customer(customer.uuid) is None
    assert any_store.customer_for_login("gone@shop.example.com")[0] is None
    stored_customer(any_store, "gone@shop.example.com")


def test_a_delete_from_a_stale_read_is_a_concurrent_change(any_store: Store) -> None:
    customer = stored_customer(any_store)
    saved = any_store.save_customer(customer, dataclasses.replace(customer, full_name="Changed"))
    with pytest.raises(ConcurrentChange):
        any_store.delete_customer(customer)
    assert any_store.get_customer(customer.uuid) == saved


# --- changes of name and status, made in place

LATER_STAMP = "2026-12-01 09:30:00"


def test_a_change_of_fields_sets_them_bumps_the_version_and_answers_the_customer(any_store: Store) -> None:
    customer = stored_customer(any_store)
    change = CustomerFieldsChange(updated_at=LATER_STAMP, full_name="Janet Roe", status=0)

    changed = any_store.change_customer_fields(customer.uuid, change)

    expected = dataclasses.replace(
        customer, full_name="Janet Roe", status=0, updated_at=LATER_STAMP, version=customer.version + 1
    )
    assert changed == expected  # the epoch kept: this change does not end sessions
    assert any_store.get_customer(customer.uuid) == expected


def test_a_change_of_one_field_leaves_the_other_as_it_is(any_store: Store) -> None:
    customer = stored_customer(any_store, status=0)

    renamed = any_store.change_customer_fields(customer.uuid, CustomerFieldsChange(LATER_STAMP, full_name="Ann"))
    enabled = any_store.change_customer_fields(customer.uuid, CustomerFieldsChange(LATER_STAMP, status=1))

    assert (renamed.full_name, renamed.status) == ("Ann", 0)
    assert (enabled.full_name, enabled.status, enabled.version) == ("Ann", 1, customer.version + 2)


def test_a_change_of_fields_that_ends_sessions_moves_the_epoch_in_the_same_write(any_store: Store) -> None:
    customer = stored_customer(any_store)
    session = a_session(CUSTOMER, customer.uuid)

    disabled = any_store.change_customer_fields(
        customer.uuid, CustomerFieldsChange(LATER_STAMP, status=0, ends_sessions=True)
    )

    assert (disabled.status, disabled.session_epoch) == (0, customer.session_epoch + 1)
    with pytest.raises(ConcurrentChange):  # a login that read the customer before cannot open
        any_store.open_session(session, clear_failures_of=None)


def test_a_change_of_fields_of_a_missing_customer_is_not_found_and_stores_nothing(any_store: Store) -> None:
    nobody = a_customer(any_store)

    with pytest.raises(CustomerNotFound):
        any_store.change_customer_fields(nobody.uuid, CustomerFieldsChange(LATER_STAMP, full_name="Nobody"))
    assert any_store.get_customer(nobody.uuid) is None
    with pytest.raises(CustomerNotFound):
        any_store.change_customer_fields(
            nobody.uuid, CustomerFieldsChange(LATER_STAMP, full_name="Nobody"), only_while_live_at_epoch=0
        )
    assert any_store.get_customer(nobody.uuid) is None


def test_a_change_of_fields_keeps_what_others_wrote_and_makes_their_older_reads_stale(any_store: Store) -> None:
    customer = stored_customer(any_store)
    reset = PasswordReset(token_hash="a" * 64, expires_at=2000, encrypted_token="c2VhbGVk")
    pending = any_store.save_customer(customer, dataclasses.replace(customer, reset=reset))
    any_store.open_session(a_session(CUSTOMER, customer.uuid), clear_failures_of=None)  # a login counted
    counted = any_store.get_customer(customer.uuid)
    assert counted is not None

    renamed = any_store.change_customer_fields(customer.uuid, CustomerFieldsChange(LATER_STAMP, full_name="Ann"))

    assert renamed == dataclasses.replace(counted, full_name="Ann", updated_at=LATER_STAMP, version=counted.version + 1)
    assert renamed.reset == reset and renamed.session_seq == 1
    with pytest.raises(ConcurrentChange):  # a save from a read before the rename would undo it
        any_store.save_customer(pending, dataclasses.replace(pending, email="moved@shop.example.com"))
    assert any_store.get_customer(customer.uuid) == renamed


def test_a_change_of_fields_while_live_at_an_epoch_is_refused_once_sessions_ended_or_disabled(
    any_store: Store,
) -> None:
    customer = stored_customer(any_store)
    rename = CustomerFieldsChange(LATER_STAMP, full_name="Ann")
    epoch = customer.session_epoch

    renamed = any_store.change_customer_fields(customer.uuid, rename, only_while_live_at_epoch=epoch)
    assert renamed.full_name == "Ann"
    any_store.end_sessions([], [(CUSTOMER, customer.uuid)])
    ended = any_store.get_customer(customer.uuid)
    with pytest.raises(ConcurrentChange):
        any_store.change_customer_fields(
            customer.uuid, CustomerFieldsChange(LATER_STAMP, full_name="Bob"), only_while_live_at_epoch=epoch
        )
    assert any_store.get_customer(customer.uuid) == ended
    disabled = any_store.change_customer_fields(customer.uuid, CustomerFieldsChange(LATER_STAMP, status=0))
    with pytest.raises(ConcurrentChange):
        any_store.change_customer_fields(
            customer.uuid, CustomerFieldsChange(LATER_STAMP, full_name="Bob"), only_while_live_at_epoch=epoch + 1
        )
    assert any_store.get_customer(customer.uuid) == disabled


# --- admins and logins


def test_an_admin_email_is_unique(any_store: Store) -> None:
    any_store.insert_admin(an_admin())
    with pytest.raises(EmailTaken):
        any_store.insert_admin(an_admin())
    admin, failures = any_store.admin_for_login("boss@shop.example.com")
    assert admin is not None
    assert failures == LoginFailures()


def test_login_attempts_count_in_one_window_up_to_the_limit_then_a_new_window_opens(any_store: Store) -> None:
    def attempt(now: int) -> LoginFailures:
        return any_store.take_login_attempt(
            CUSTOMER, "x@shop.example.com", now, window_seconds=60, max_attempts=2, seen=LoginFailures()
        )

    assert (attempt(1000), attempt(1030)) == (LoginFailures(1, 1060), LoginFailures(2, 1060))
    with pytest.raises(TooManyLoginFailures) as refused:
        attempt(1040)
    assert refused.value.retry_after_seconds == 20
    assert any_store.customer_for_login("x@shop.example.com") == (None, LoginFailures(2, 1060))
    assert attempt(1060) == LoginFailures(1, 1120)


def test_of_parallel_login_attempts_only_the_limit_is_let_through(thread_safe_store: Store) -> None:
    def attempt(_: int) -> bool:
        try:
            thread_safe_store.take_login_attempt(
                ADMIN, "y@x.example", 1000, window_seconds=60, max_attempts=5, seen=LoginFailures()
            )
        except TooManyLoginFailures:
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        let_through = list(pool.map(attempt, range(32)))
    assert let_through.count(True) == 5
    assert thread_safe_store.admin_for_login("y@x.example")[1].count == 5


def test_a_password_hash_is_upgraded_only_while_unchanged(any_store: Store) -> None:
    customer = stored_customer(any_store)
    assert any_store.upgrade_password_hash(CUSTOMER, customer.uuid, customer.password_hash, "$2b$06$new") is True
    assert any_store.upgrade_password_hash(CUSTOMER, customer.uuid, customer.password_hash, "$2b$06$old") is False
    upgraded = any_store.get_customer(customer.uuid)
    assert upgraded is not None
    assert upgraded.password_hash == "$2b$06$new"
    assert upgraded.version == customer.version  # a rehash is no change of the customer
    admin = an_admin()
    any_store.insert_admin(admin)
    assert any_store.upgrade_password_hash(ADMIN, admin.email_key, admin.password_hash, "$2b$06$adm") is True
    assert any_store.admin_for_login(admin.email_key)[0] == dataclasses.replace(admin, password_hash="$2b$06$adm")


def test_a_session_opens_for_an_enabled_principal_and_clears_its_failures(any_store: Store) -> None:
    customer = stored_customer(any_store)
    any_store.take_login_attempt(
        CUSTOMER, customer.email_key, 1000, window_seconds=60, max_attempts=5, seen=LoginFailures()
    )
    session = a_session(CUSTOMER, customer.uuid)
    any_store.open_session(session, clear_failures_of=customer.email_key)
    counted = dataclasses.replace(customer, session_seq=1, version=customer.version + 1)
    assert any_store.customer_for_login(customer.email_key) == (counted, LoginFailures(0, 1060))
    assert any_store.get_sessions([session.sid]) == {session.sid: session}


@pytest.mark.parametrize("change", ["disabled", "epoch moved", "deleted"])
def test_a_session_does_not_open_for_a_principal_changed_since_it_was_read(any_store: Store, change: str) -> None:
    customer = stored_customer(any_store, status=0 if change == "disabled" else 1)
    if change == "epoch moved":
        any_store.end_sessions([], [(CUSTOMER, customer.uuid)])
    if change == "deleted":
        any_store.delete_customer(customer)
    session = a_session(CUSTOMER, customer.uuid, epoch=customer.session_epoch)
    with pytest.raises(ConcurrentChange):
        any_store.open_session(session, clear_failures_of=None)
    assert any_store.get_sessions([session.sid]) == {}


# --- sessions


def test_a_session_reads_with_its_principal_state(any_store: Store) -> None:
    customer = stored_customer(any_store)
    session = a_session(CUSTOMER, customer.uuid)
    any_store.open_session(session, clear_failures_of=None)
    found, owner = any_store.session_with_account(session.sid, CUSTOMER, customer.uuid)
    assert found == session
    assert owner == any_store.get_customer(customer.uuid)
    assert owner is not None
    assert (owner.status, owner.session_epoch, owner.session_seq) == (1, 0, 1)
    assert any_store.session_with_account(str(uuid.uuid4()), CUSTOMER, uuid.uuid4().hex) == (None, None)


def test_ending_sessions_is_all_or_nothing(any_store: Store) -> None:
    customer = stored_customer(any_store)
    live = a_session(CUSTOMER, customer.uuid)
    any_store.open_session(live, clear_failures_of=None)
    never_stored = a_session(CUSTOMER, customer.uuid)
    with pytest.raises(ConcurrentChange):
        any_store.end_sessions([live, never_stored], [])
    assert any_store.get_sessions([live.sid]) == {live.sid: live}
    with pytest.raises(ConcurrentChange):
        any_store.end_sessions([live], [(CUSTOMER, uuid.uuid4().hex)])
    assert any_store.get_sessions([live.sid]) == {live.sid: live}


def test_ending_every_session_moves_the_epoch_and_the_version(any_store: Store) -> None:
    customer = stored_customer(any_store)
    any_store.end_sessions([], [(CUSTOMER, customer.uuid)])
    ended = any_store.get_customer(customer.uuid)
    assert ended is not None
    assert (ended.session_epoch, ended.version) == (customer.session_epoch + 1, customer.version + 1)
    # An update that read the customer before keeps its old epoch: it must not write it back.
    with pytest.raises(ConcurrentChange):
        any_store.save_customer(customer, dataclasses.replace(customer, full_name="Stale"))


def test_a_session_claimed_for_another_owner_is_not_ended(any_store: Store) -> None:
    customer, other = stored_customer(any_store), stored_customer(any_store)
    session = a_session(CUSTOMER, customer.uuid)
    any_store.open_session(session, clear_failures_of=None)
    with pytest.raises(ConcurrentChange):
        any_store.end_sessions([dataclasses.replace(session, principal=other.uuid)], [])
    assert any_store.get_sessions([session.sid]) == {session.sid: session}


def test_a_change_larger_than_one_transaction_is_refused(any_store: Store) -> None:
    sessions = [a_session(CUSTOMER, uuid.uuid4().hex) for _ in range(MAX_ITEMS_PER_CHANGE + 1)]
    with pytest.raises(ValueError, match="too many"):
        any_store.end_sessions(sessions, [])


def test_a_sweep_deletes_every_session_of_one_principal_only(any_store: Store) -> None:
    customer, other = stored_customer(any_store), stored_customer(any_store)
    mine = [a_session(CUSTOMER, customer.uuid) for _ in range(3)]
    theirs = a_session(CUSTOMER, other.uuid)
    for session in [*mine, theirs]:
        any_store.open_session(session, clear_failures_of=None)
    assert any_store.sweep_sessions(CUSTOMER, customer.uuid) == 3
    assert any_store.get_sessions([s.sid for s in [*mine, theirs]]) == {theirs.sid: theirs}


def test_admin_sessions_live_beside_customer_sessions(any_store: Store) -> None:
    admin = an_admin()
    any_store.insert_admin(admin)
    session = a_session(ADMIN, admin.email_key)
    any_store.open_session(session, clear_failures_of=None)
    found, owner = any_store.session_with_account(session.sid, ADMIN, admin.email_key)
    assert found == session
    assert owner == dataclasses.replace(admin, session_seq=1)
    any_store.end_sessions([session], [])
    assert any_store.get_sessions([session.sid]) == {}


def test_recent_sessions_are_the_latest_logins_that_still_exist_newest_first(any_store: Store) -> None:
    customer, other = stored_customer(any_store), stored_customer(any_store)
    opened = []
    for seq in range(5):
        session = dataclasses.replace(a_session(CUSTOMER, customer.uuid), seq=seq, ip=f"10.0.0.{seq}")
        any_store.open_session(session, clear_failures_of=None)
        opened.append(session)
    any_store.open_session(a_session(CUSTOMER, other.uuid), clear_failures_of=None)
    any_store.end_sessions([opened[3]], [])
    recent = any_store.recent_sessions(CUSTOMER, customer.uuid, 3)
    # 3 was ended: the latest three that exist are 4, 2 and 1.
    assert recent == [opened[4], opened[2], opened[1]]
    assert recent[0].ip == "10.0.0.4"


def test_a_refresh_is_spent_once_from_what_was_read(any_store: Store) -> None:
    customer = stored_customer(any_store)
    session = a_session(CUSTOMER, customer.uuid)
    any_store.open_session(session, clear_failures_of=None)
    assert any_store.spend_refresh(session)
    assert not any_store.spend_refresh(session)  # spent since `session` was read
    assert any_store.get_sessions([session.sid])[session.sid].refresh_gen == 1
    assert any_store.spend_refresh(dataclasses.replace(session, refresh_gen=1))
    any_store.end_sessions([session], [])
    assert not any_store.spend_refresh(dataclasses.replace(session, refresh_gen=2))


# --- secrets


def change_secret(db: Store, name: str, value: dict[str, str]) -> None:
    """Change a secret behind the store, as an operator's rotation does."""
    if isinstance(db, MemoryStore):
        db.secrets[name] = value
    else:
        boto3.client("secretsmanager").put_secret_value(SecretId=name, SecretString=json.dumps(value))


def test_a_fresh_read_sees_a_secret_changed_behind_the_cache_and_caches_it(any_store: Store) -> None:
    name = settings().customer_token_secret
    old, new = {"current": "old", "previous": ""}, {"current": "new", "previous": "old"}
    change_secret(any_store, name, old)
    assert any_store.read_secret(name, 60) == old  # now cached for a minute
    change_secret(any_store, name, new)

    assert any_store.read_secret(name, 60, fresh=True) == new
    assert any_store.read_secret(name, 60) == new


def test_reset_requests_count_per_email_apart_from_logins_then_a_new_window_opens(any_store: Store) -> None:
    def ask(now: int) -> None:
        any_store.take_reset_request("r@shop.example.com", now, window_seconds=60, max_requests=2)

    ask(1000), ask(1030)
    with pytest.raises(TooManyResetRequests) as refused:
        ask(1040)
    assert refused.value.retry_after_seconds == 20
    assert any_store.customer_for_login("r@shop.example.com") == (None, LoginFailures())  # logins unaffected
    ask(1060)


def test_a_pending_reset_is_kept_on_its_customer_and_cleared_by_a_save_without_it(any_store: Store) -> None:
    customer = stored_customer(any_store)
    reset = PasswordReset(token_hash="a" * 64, expires_at=2000, encrypted_token="c2VhbGVk")

    pending = any_store.save_customer(customer, dataclasses.replace(customer, reset=reset))
    assert any_store.get_customer(customer.uuid) == pending and pending.reset == reset
    cleared = any_store.save_customer(pending, dataclasses.replace(pending, reset=None))
    assert any_store.get_customer(customer.uuid) == cleared and cleared.reset is None


def test_a_reset_target_is_found_through_the_email_s_claim(any_store: Store) -> None:
    customer = stored_customer(any_store, status=0)

    assert any_store.email_owner(customer.email_key) == customer.uuid
    assert any_store.email_owner("nobody@shop.example.com") is None
    assert any_store.reset_target(customer.uuid) == ResetTarget(customer.uuid, 0, customer.version)
    assert any_store.reset_target(uuid.uuid4().hex) is None


def test_a_reset_is_saved_on_the_customer_as_read_and_nothing_else_changes(any_store: Store) -> None:
    customer = stored_customer(any_store)
    first = PasswordReset(token_hash="a" * 64, expires_at=2000, encrypted_token="Zmlyc3Q=")
    newer = PasswordReset(token_hash="b" * 64, expires_at=3000, encrypted_token="bmV3ZXI=")
    read = any_store.reset_target(customer.uuid)
    assert read is not None

    any_store.save_reset(read, first)
    assert any_store.get_customer(customer.uuid) == dataclasses.replace(
        customer, reset=first, version=customer.version + 1
    )
    with pytest.raises(ConcurrentChange):  # as read before the first reset
        any_store.save_reset(read, newer)
    reread = any_store.reset_target(customer.uuid)
    assert reread is not None
    any_store.save_reset(reread, newer)
    saved = any_store.get_customer(customer.uuid)
    assert saved is not None and saved.reset == newer


def test_a_reset_is_not_saved_on_a_customer_that_is_gone(any_store: Store) -> None:
    customer = stored_customer(any_store)
    read = any_store.reset_target(customer.uuid)
    assert read is not None
    any_store.delete_customer(customer)

    with pytest.raises(ConcurrentChange):
        any_store.save_reset(read, PasswordReset(token_hash="a" * 64, expires_at=2000, encrypted_token="c2VhbGVk"))
    assert any_store.get_customer(customer.uuid) is None


def test_a_reset_for_nobody_changes_no_customer_and_not_the_counting(any_store: Store) -> None:
    email = "nobody@shop.example.com"
    customer = stored_customer(any_store)
    reset = PasswordReset(token_hash="a" * 64, expires_at=2000, encrypted_token="c2VhbGVk")

    any_store.take_reset_request(email, 1000, window_seconds=60, max_requests=2)
    any_store.save_reset_for_nobody(email, reset)
    any_store.save_reset_for_nobody(email, reset)  # again: replaced
    any_store.take_reset_request(email, 1010, window_seconds=60, max_requests=2)

    with pytest.raises(TooManyResetRequests):
        any_store.take_reset_request(email, 1020, window_seconds=60, max_requests=2)
    assert any_store.email_owner(email) is None
    assert any_store.get_customer(customer.uuid) == customer
    any_store.take_reset_request(email, 1060, window_seconds=60, max_requests=2)  # a new window opens


def test_a_save_of_a_customer_that_does_not_exist_stores_nothing(any_store: Store) -> None:
    nobody = a_customer(any_store)

    with pytest.raises(ConcurrentChange):
        any_store.save_customer(nobody, dataclasses.replace(nobody, full_name="Nobody"))
    assert any_store.get_customer(nobody.uuid) is None
