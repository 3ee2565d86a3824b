"""The customer's own account and refresh tokens on the in-memory store, with races in parallel
threads (the in-memory store is thread-safe, as DynamoDB is)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from customer_api.core.errors import CustomerNotFound, EmailTaken, InvalidToken
from customer_api.core.records import UNKNOWN_ORIGIN
from customer_api.core.settings import settings
from customer_api.domain import account, customers, logins, sessions, tokens
from customer_api.domain.inputs import CustomerUpdate, OwnAccountUpdate, OwnPasswordChange
from customer_api.store.memory import MemoryStore
from tests.unit.test_logins_and_sessions import PASSWORD, create, customer_token


def refresh_token_of(email: str) -> str:
    customer, session = logins.log_in_customer(email, PASSWORD)
    claims = {"customer": {"uuid": customer.uuid}, "sid": session.sid, "gen": session.refresh_gen}
    return tokens.issue(tokens.CUSTOMER_REFRESH, claims, 60)


def test_of_parallel_refreshes_of_one_token_under_rotation_at_most_one_wins_and_a_loser_ends_the_session(
    memory: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFRESH_TOKEN_ROTATION", "true")
    settings.cache_clear()
    create()
    token = refresh_token_of("jane@shop.example.com")
    start = threading.Barrier(8)

    def refresh() -> str:
        start.wait()
        try:
            sessions.refresh(token)
        except InvalidToken:
            return "refused"
        return "renewed"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: refresh(), range(8)))
    assert outcomes.count("renewed") <= 1
    assert outcomes.count("refused") >= 7
    # Someone presented a spent token: the session is over for everyone, the winner included.
    assert memory.sessions == {}


def test_of_8_customers_moving_to_one_email_at_once_exactly_one_gets_it(memory: MemoryStore) -> None:
    callers = [customer_token(create(f"c{n}@shop.example.com").email)[1] for n in range(8)]
    change = OwnAccountUpdate(email="wanted@shop.example.com", current_password=PASSWORD)
    start = threading.Barrier(8)

    def move(caller: sessions.Caller) -> str:
        start.wait()
        try:
            account.update_own_account(caller, change)
        except EmailTaken:
            return "taken"
        return "moved"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(move, callers))
    assert sorted(outcomes) == ["moved"] + ["taken"] * 7
    assert list(memory.claims).count("wanted@shop.example.com") == 1


def test_a_rename_authenticated_before_a_password_change_is_refused_after_it(memory: MemoryStore) -> None:
    create()
    _, renamer = customer_token()
    _, changer = customer_token()
    change = OwnPasswordChange(current_password=PASSWORD, new_password="brand-new")
    account.change_own_password(changer, change, UNKNOWN_ORIGIN)
    # The renamer's session ended with the password change: its stale caller may not write.
    with pytest.raises(InvalidToken):
        account.update_own_account(renamer, OwnAccountUpdate(full_name="Too Late"))
    assert next(iter(memory.customers.values())).full_name == "Jane Doe"


@pytest.mark.parametrize("meanwhile", ["disabled", "deleted"])
def test_a_rename_of_a_caller_disabled_or_deleted_since_it_was_authenticated_writes_nothing(
    memory: MemoryStore, meanwhile: str
) -> None:
    customer = create()
    _, renamer = customer_token()
    if meanwhile == "disabled":
        customers.update_customer(customer.uuid, CustomerUpdate(status=0))
    else:
        customers.delete_customer(customer.uuid)
    expected = InvalidToken if meanwhile == "disabled" else CustomerNotFound  # as a re-read told them apart
    with pytest.raises(expected):
        account.update_own_account(renamer, OwnAccountUpdate(full_name="Too Late"))
    assert [c.full_name for c in memory.customers.values()] == (["Jane Doe"] if meanwhile == "disabled" else [])


def test_a_rename_of_a_live_caller_is_made_in_place_and_keeps_the_session(memory: MemoryStore) -> None:
    customer = create()
    token, renamer = customer_token()
    renamed = account.update_own_account(renamer, OwnAccountUpdate(full_name="  Jo  "))
    assert (renamed.full_name, renamed.session_epoch, renamed.email) == ("Jo", customer.session_epoch, customer.email)
    assert memory.customers[customer.uuid] == renamed
    assert sessions.authenticate(token, tokens.CUSTOMER).customer == renamed
