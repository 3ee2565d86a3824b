"""DynamoDB calls per request, exactly, so that they cannot grow unnoticed. BENCHMARKS.md gives
the minimum the table layout allows for each and why."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from customer_api.core.settings import settings
from customer_api.store import client, keys, outside
from local.outbox import Outbox, with_token_in_clear
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Api, CustomerAccount, unique_email
from tests.support.addresses import ADDRESS
from tools.round_trips import dynamodb_calls

ADMIN_AUTH = "BatchGetItem"  # the token's session and its admin, read together
CUSTOMER_AUTH = "BatchGetItem"


def test_create_customer_reads_auth_then_takes_an_id_then_writes_one_transaction(api: Api, admin_token: str) -> None:
    body = {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe"}
    with dynamodb_calls() as calls:
        reply = api.post("/api/customers", body, token=admin_token)
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "UpdateItem", "TransactWriteItems"]


def test_renaming_a_customer_is_one_update_returning_it(api: Api, admin_token: str, customer: CustomerAccount) -> None:
    with dynamodb_calls() as calls:
        reply = api.patch(f"/api/customers/{customer.uuid}", {"full_name": "Janet Doe"}, token=admin_token)
    assert reply.status == 200
    assert reply.data["full_name"] == "Janet Doe"
    assert calls == [ADMIN_AUTH, "UpdateItem"]


def test_enabling_a_customer_is_one_update_too(api: Api, admin_token: str, customer: CustomerAccount) -> None:
    with dynamodb_calls() as calls:
        reply = api.patch(f"/api/customers/{customer.uuid}", {"status": 1, "full_name": "Jo"}, token=admin_token)
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "UpdateItem"]


def test_disabling_a_customer_ends_its_sessions_in_the_update_then_sweeps_them(
    api: Api, admin_token: str, customer: CustomerAccount, log_in: Any
) -> None:
    with dynamodb_calls() as calls:
        reply = api.patch(f"/api/customers/{customer.uuid}", {"status": 0}, token=admin_token)
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "UpdateItem", "Query"]  # no session item to delete
    api.patch(f"/api/customers/{customer.uuid}", {"status": 1}, token=admin_token)
    log_in(customer)
    with dynamodb_calls() as calls:
        reply = api.patch(f"/api/customers/{customer.uuid}", {"status": "0"}, token=admin_token)
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "UpdateItem", "Query", "TransactWriteItems"]


def test_renaming_a_missing_customer_is_one_refused_update(api: Api, admin_token: str) -> None:
    with dynamodb_calls() as calls:
        reply = api.patch(f"/api/customers/{'0' * 32}", {"full_name": "Nobody"}, token=admin_token)
    assert reply.status == 404
    assert calls == [ADMIN_AUTH, "UpdateItem"]


def test_an_empty_change_reads_the_customer_and_writes_nothing(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    with dynamodb_calls() as calls:
        reply = api.patch(f"/api/customers/{customer.uuid}", {}, token=admin_token)
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "GetItem"]


def test_changing_the_email_moves_the_claim_in_the_same_transaction(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    with dynamodb_calls() as calls:
        reply = api.patch(f"/api/customers/{customer.uuid}", {"email": unique_email()}, token=admin_token)
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "GetItem", "TransactWriteItems"]


def test_changing_the_password_also_looks_for_session_items_to_sweep(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    with dynamodb_calls() as calls:
        reply = api.patch(f"/api/customers/{customer.uuid}", {"password": "new-secret-456"}, token=admin_token)
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "GetItem", "PutItem", "Query"]


def test_deleting_a_customer_with_a_session_sweeps_it_in_one_transaction(
    api: Api, admin_token: str, customer: CustomerAccount, log_in: Any
) -> None:
    log_in(customer)
    with dynamodb_calls() as calls:
        reply = api.delete(f"/api/customers/{customer.uuid}", token=admin_token)
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "GetItem", "TransactWriteItems", "Query", "TransactWriteItems"]


def test_the_sweep_after_ending_every_session_is_bounded_however_many_logins_piled_up(
    api: Api, admin_token: str, customer: CustomerAccount, log_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """600 logins used to make a password change page through 600 session items and delete them
    in 24 batches, long after the change committed; now one page and one transaction at most."""
    monkeypatch.setenv("SWEEP_LIMIT", "25")
    settings.cache_clear()
    for _ in range(60):
        log_in(customer)
    with dynamodb_calls() as calls:
        reply = api.patch(f"/api/customers/{customer.uuid}", {"password": "new-secret-456"}, token=admin_token)
    settings.cache_clear()
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "GetItem", "PutItem", "Query", "TransactWriteItems"]


def test_customer_login_reads_claim_and_attempts_then_the_customer_counts_the_check_then_writes_the_session(
    api: Api, customer: CustomerAccount
) -> None:
    with dynamodb_calls() as calls:
        reply = api.post("/api/customers/sessions", {"email": customer.email, "password": customer.password})
    assert reply.status == 200
    # The check is counted (UpdateItem) before it is made; the session's write forgets the count.
    assert calls == ["BatchGetItem", "GetItem", "UpdateItem", "TransactWriteItems"]


def test_a_first_failed_login_opens_an_attempt_window_in_one_update(api: Api, customer: CustomerAccount) -> None:
    with dynamodb_calls() as calls:
        reply = api.post("/api/customers/sessions", {"email": customer.email, "password": "wrong-password"})
    assert reply.status == 400
    # No window was read, so the update that opens one is tried first; the failure is the
    # attempt counted before the check.
    assert calls == ["BatchGetItem", "GetItem", "UpdateItem"]


def test_a_failed_login_in_a_running_window_counts_into_it_in_one_update(api: Api, customer: CustomerAccount) -> None:
    api.post("/api/customers/sessions", {"email": customer.email, "password": "wrong-password"})
    with dynamodb_calls() as calls:
        reply = api.post("/api/customers/sessions", {"email": customer.email, "password": "wrong-password"})
    assert reply.status == 400
    assert calls == ["BatchGetItem", "GetItem", "UpdateItem"]


def test_logging_out_of_ones_own_session_reuses_the_authorizers_read(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    session = log_in(customer)
    with dynamodb_calls() as calls:
        reply = api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"])
    assert reply.status == 200
    assert calls == [CUSTOMER_AUTH, "TransactWriteItems"]


def test_logging_out_of_another_session_reads_it(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    other, current = log_in(customer), log_in(customer)
    with dynamodb_calls() as calls:
        reply = api.delete(f"/api/customers/sessions/{other['sid']}", token=current["token"])
    assert reply.status == 200
    assert calls == [CUSTOMER_AUTH, "BatchGetItem", "TransactWriteItems"]


def test_admin_tokens_read_admin_and_attempts_count_the_check_then_write_the_session(api: Api, admin: None) -> None:
    with dynamodb_calls() as calls:
        reply = api.post("/api/user/tokens", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert reply.status == 200
    assert calls == ["BatchGetItem", "UpdateItem", "TransactWriteItems"]


def test_admin_login_reads_admin_and_attempts_count_the_check_then_writes_the_session(api: Api, admin: None) -> None:
    with dynamodb_calls() as calls:
        reply = api.post("/api/user/sessions", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert reply.status == 200
    assert calls == ["BatchGetItem", "UpdateItem", "TransactWriteItems"]


def test_a_login_on_a_hash_of_another_cost_rehashes_it_once(
    api: Api, customer: CustomerAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BCRYPT_ROUNDS", "5")
    settings.cache_clear()
    credentials = {"email": customer.email, "password": customer.password}
    with dynamodb_calls() as calls:
        assert api.post("/api/customers/sessions", credentials).status == 200
    with dynamodb_calls() as again:
        assert api.post("/api/customers/sessions", credentials).status == 200
    settings.cache_clear()
    assert calls == ["BatchGetItem", "GetItem", "UpdateItem", "TransactWriteItems", "UpdateItem"]
    assert again == ["BatchGetItem", "GetItem", "UpdateItem", "TransactWriteItems"]


def test_admin_logout_of_its_own_session_reuses_the_authorizers_read(api: Api, admin: None) -> None:
    session = api.post("/api/user/sessions", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).data
    with dynamodb_calls() as calls:
        reply = api.delete(f"/api/user/sessions/{session['sid']}", token=session["token"])
    assert reply.status == 200
    assert calls == [ADMIN_AUTH, "TransactWriteItems"]


# --- reads (admin)


def test_reading_a_customer_is_one_read_after_auth(api: Api, admin_token: str, customer: CustomerAccount) -> None:
    with dynamodb_calls() as calls:
        assert api.get(f"/api/customers/{customer.uuid}", token=admin_token).status == 200
    assert calls == [ADMIN_AUTH, "GetItem"]


def test_finding_an_email_reads_its_claim_then_its_customer(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    with dynamodb_calls() as calls:
        assert api.get(f"/api/customers?email={customer.email}", token=admin_token).status == 200
    assert calls == [ADMIN_AUTH, "GetItem", "GetItem"]


def test_a_page_queries_each_shard_once_whatever_the_filters(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    for query in ("limit=100", "limit=1&status=0&group_id=3&created_from=2020-01-01"):
        with dynamodb_calls() as calls:
            assert api.get(f"/api/customers?{query}", token=admin_token).status == 200
        assert calls == [ADMIN_AUTH] + ["Query"] * keys.LIST_SHARDS


def test_an_email_prefix_page_queries_each_shard_then_reads_its_customers_in_one_batch(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    with dynamodb_calls() as calls:
        reply = api.get(f"/api/customers?email_prefix={customer.email[:5]}", token=admin_token)
    assert reply.data["items"]
    assert calls == [ADMIN_AUTH] + ["Query"] * keys.LIST_SHARDS + ["BatchGetItem"]


# --- the customer's own account

# A password check of a logged-in customer is counted without reading the window first: the
# update that opens a window is tried first, and while the login's window runs, the one that
# counts into it follows.
COUNT_IN_RUNNING_WINDOW = ["UpdateItem", "UpdateItem"]


def test_reading_ones_account_is_the_authorizers_read_alone(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    token = log_in(customer)["token"]
    with dynamodb_calls() as calls:
        assert api.get("/api/customers/me", token=token).status == 200
    assert calls == [CUSTOMER_AUTH]


def test_renaming_oneself_is_one_update_conditioned_on_the_session_still_live(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    token = log_in(customer)["token"]
    with dynamodb_calls() as calls:
        assert api.patch("/api/customers/me", {"full_name": "Me"}, token=token).status == 200
    assert calls == [CUSTOMER_AUTH, "UpdateItem"]


def test_changing_ones_email_counts_the_password_check_then_moves_the_claim(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    token = log_in(customer)["token"]
    change = {"email": unique_email(), "current_password": customer.password}
    with dynamodb_calls() as calls:
        assert api.patch("/api/customers/me", change, token=token).status == 200
    assert calls == [CUSTOMER_AUTH, *COUNT_IN_RUNNING_WINDOW, "GetItem", "TransactWriteItems"]


def test_changing_ones_password_counts_the_check_ends_sessions_and_opens_one(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    token = log_in(customer)["token"]
    change = {"current_password": customer.password, "new_password": "brand-new-pass"}
    with dynamodb_calls() as calls:
        assert api.post("/api/customers/me/password", change, token=token).status == 200
    # Check counted; customer read and put (epoch moved); one page of sessions swept; new session.
    sweep, new_session = ["Query", "TransactWriteItems"], ["TransactWriteItems"]
    assert calls == [CUSTOMER_AUTH, *COUNT_IN_RUNNING_WINDOW, "GetItem", "PutItem", *sweep, *new_session]


def test_listing_ones_sessions_queries_the_latest_then_reads_them(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    token = log_in(customer)["token"]
    with dynamodb_calls() as calls:
        assert api.get("/api/customers/me/sessions", token=token).status == 200
    assert calls == [CUSTOMER_AUTH, "Query", "BatchGetItem"]


# --- tokens as EverShop 2.x issues them


def test_a_token_login_costs_what_a_login_does(api: Api, customer: CustomerAccount) -> None:
    with dynamodb_calls() as calls:
        reply = api.post("/api/customer/tokens", {"email": customer.email, "password": customer.password})
    assert reply.status == 200
    assert calls == ["BatchGetItem", "GetItem", "UpdateItem", "TransactWriteItems"]


def test_a_refresh_without_rotation_is_one_read(api: Api, customer: CustomerAccount) -> None:
    pair = api.post("/api/customer/tokens", {"email": customer.email, "password": customer.password}).data
    with dynamodb_calls() as calls:
        assert api.post("/api/customer/token/refresh", {"refreshToken": pair["refreshToken"]}).status == 200
    assert calls == ["BatchGetItem"]


def test_a_refresh_with_rotation_adds_one_conditional_update(
    api: Api, customer: CustomerAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFRESH_TOKEN_ROTATION", "true")
    settings.cache_clear()
    pair = api.post("/api/customer/tokens", {"email": customer.email, "password": customer.password}).data
    with dynamodb_calls() as calls:
        assert api.post("/api/customer/token/refresh", {"refreshToken": pair["refreshToken"]}).status == 200
    settings.cache_clear()
    assert calls == ["BatchGetItem", "UpdateItem"]


# --- address books and groups


def test_an_own_address_change_reads_the_book_with_the_auth_and_writes_it_back_with_the_customers_check(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    token = log_in(customer)["token"]
    with dynamodb_calls() as calls:
        added = api.post("/api/customers/me/addresses", ADDRESS, token=token)
    assert added.status == 200
    assert calls == [CUSTOMER_AUTH, "TransactWriteItems"]  # the session, the customer, the book
    path = f"/api/customers/me/addresses/{added.data['uuid']}"
    for method, body in (("PATCH", {"city": "Shelbyville"}), ("DELETE", None)):
        with dynamodb_calls() as calls:
            assert api.call(method, path, body, token=token).status == 200
        assert calls == [CUSTOMER_AUTH, "TransactWriteItems"]


def test_listing_own_addresses_is_the_auth_read_alone(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    token = log_in(customer)["token"]
    for _ in range(2):  # without a book, then with one
        with dynamodb_calls() as calls:
            assert api.get("/api/customers/me/addresses", token=token).status == 200
        assert calls == [CUSTOMER_AUTH]
        api.post("/api/customers/me/addresses", ADDRESS, token=token)


def test_an_admins_address_change_reads_the_book_then_writes_it_back(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    with dynamodb_calls() as calls:
        added = api.post(f"/api/customers/{customer.uuid}/addresses", ADDRESS, token=admin_token)
    assert added.status == 200
    assert calls == [ADMIN_AUTH, "GetItem", "TransactWriteItems"]


def test_listing_addresses_is_one_read_or_two_when_there_is_no_book(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    base = f"/api/customers/{customer.uuid}/addresses"
    with dynamodb_calls() as calls:
        assert api.get(base, token=admin_token).status == 200
    assert calls == [ADMIN_AUTH, "GetItem", "GetItem"]  # no book: is there a customer?
    api.post(base, ADDRESS, token=admin_token)
    with dynamodb_calls() as calls:
        assert api.get(base, token=admin_token).status == 200
    assert calls == [ADMIN_AUTH, "GetItem"]


def test_group_routes(api: Api, admin_token: str) -> None:
    with dynamodb_calls() as calls:
        group = api.post("/api/customer-groups", {"group_name": "Wholesale"}, token=admin_token).data["group_id"]
    assert calls == [ADMIN_AUTH, "UpdateItem", "PutItem"]  # the id counter, the group
    with dynamodb_calls() as calls:
        assert api.patch(f"/api/customer-groups/{group}", {"group_name": "Trade"}, token=admin_token).status == 200
    assert calls == [ADMIN_AUTH, "UpdateItem"]
    with dynamodb_calls() as calls:
        assert api.get("/api/customer-groups", token=admin_token).status == 200
    assert calls == [ADMIN_AUTH, "Query"]
    with dynamodb_calls() as calls:
        assert api.delete(f"/api/customer-groups/{group}", token=admin_token).status == 200
    assert calls == [ADMIN_AUTH, "DeleteItem"]  # its answer is the item deleted


def test_a_customer_joins_its_group_in_the_creates_transaction(api: Api, admin_token: str) -> None:
    group = api.post("/api/customer-groups", {"group_name": "Wholesale"}, token=admin_token).data["group_id"]
    body = {"email": unique_email(), "password": "secret-123", "full_name": "Jane", "group_id": group}
    with dynamodb_calls() as calls:
        assert api.post("/api/customers", body, token=admin_token).status == 200
    assert calls == [ADMIN_AUTH, "UpdateItem", "TransactWriteItems"]


def test_a_reset_request_counts_it_reads_the_customer_and_updates_the_reset_on_it(
    api: Api, customer: CustomerAccount
) -> None:
    with dynamodb_calls() as calls:
        reply = api.post("/api/customers/reset-password", {"email": customer.email})
    assert reply.status == 200
    # The count opens a window (UpdateItem), the claim then the customer, the reset's fields set.
    assert calls == ["UpdateItem", "GetItem", "GetItem", "UpdateItem"]


def test_a_reset_request_for_an_unknown_email_makes_the_same_calls_for_nobody(api: Api) -> None:
    with dynamodb_calls() as calls:
        reply = api.post("/api/customers/reset-password", {"email": unique_email()})
    assert reply.status == 200
    # The same calls as for a customer: the reset made for nobody is set on the email's counter.
    assert calls == ["UpdateItem", "GetItem", "GetItem", "UpdateItem"]


@contextlib.contextmanager
def aws_calls() -> Iterator[list[str]]:
    """Every DynamoDB and KMS call of the block as "service operation HTTP-status", in order."""
    made: list[str] = []

    def record(model: Any, http_response: Any, **_: Any) -> None:
        made.append(f"{model.service_model.service_name} {model.name} {http_response.status_code}")

    clients = (client.dynamodb(), outside.kms_client())
    for each in clients:
        each.meta.events.register("after-call", record, unique_id="reset-aws-calls")
    try:
        yield made
    finally:
        for each in clients:
            each.meta.events.unregister("after-call", unique_id="reset-aws-calls")


def test_known_unknown_and_disabled_emails_make_identical_calls_with_identical_outcomes(
    api: Api, new_customer: Any
) -> None:
    """So that the timing does not tell who is a customer: the same calls in the same order, and
    every one answered alike (a write refused by its condition would answer sooner)."""
    emails = {"known": new_customer().email, "unknown": unique_email(), "disabled": new_customer(status=0).email}
    sequences = {}
    for kind, email in emails.items():
        with aws_calls() as made:
            assert api.post("/api/customers/reset-password", {"email": email}).status == 200
        sequences[kind] = made

    assert sequences["known"] == sequences["unknown"] == sequences["disabled"]
    assert sequences["known"] == [
        "dynamodb UpdateItem 200",
        "dynamodb GetItem 200",
        "dynamodb GetItem 200",
        "kms Encrypt 200",
        "dynamodb UpdateItem 200",
    ]


def test_setting_a_password_with_a_token_reads_the_customer_puts_it_and_sweeps(
    api: Api, customer: CustomerAccount, outbox: Outbox, log_in: Any
) -> None:
    log_in(customer)
    outbox.poll()
    api.post("/api/customers/reset-password", {"email": customer.email})
    (requested,) = [e for e in outbox.poll() if e["detail-type"] == "customer.password_reset_requested"]
    token = with_token_in_clear(requested)["detail"]["token"]
    with dynamodb_calls() as calls:
        reply = api.post("/api/customers/password", {"token": token, "password": "new-secret-456"})
    assert reply.status == 200
    # Spent, changed and every session ended in one PutItem; the sweep deletes the old session.
    assert calls == ["GetItem", "PutItem", "Query", "TransactWriteItems"]
