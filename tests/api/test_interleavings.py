"""Races, made deterministic: a competing request slips in between a handler's read and its
write (tests/support/races.py: a hook on the layer's DynamoDB client runs it just before the
write is sent).

Whatever the order, the loser gets a clean 4xx of the contract, never a 500, and the tables
keep their invariants (tests/support/invariants.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support import BACKENDS, Api, CustomerAccount, Reply, unique_email
from tests.support.addresses import ADDRESS
from tests.support.invariants import assert_invariants
from tests.support.races import Competitor

# Every test on moto and on DynamoDB Local (AWS's own engine).
pytestmark = pytest.mark.parametrize("aws", BACKENDS, indirect=True)

UNKNOWN_SID = "00000000-0000-4000-8000-000000000000"


def token_is_live(api: Api, token: str) -> bool:
    """A live token gets past authentication (404 for an unknown sid); a dead one is a 401."""
    reply = api.delete(f"/api/customers/sessions/{UNKNOWN_SID}", token=token)
    assert reply.status in (401, 404), reply.body
    return reply.status == 404


def log_in(api: Api, account: CustomerAccount, password: str | None = None) -> Reply:
    return api.post("/api/customers/sessions", {"email": account.email, "password": password or account.password})


def create_body(email: str) -> dict[str, str]:
    return {"email": email, "password": "secret-123", "full_name": "Jane Doe"}


@pytest.fixture
def admin_api(api: Api, admin_token: str) -> Callable[..., Reply]:
    """admin_api(method, path, body=None) with the admin's token."""

    def call(method: str, path: str, body: Any = None) -> Reply:
        return api.call(method, path, body, token=admin_token)

    return call


# --- create ---------------------------------------------------------------------------------


def test_two_creates_with_one_email_in_other_case_let_exactly_one_win(api: Api, admin_api: Any) -> None:
    email = unique_email()
    rival = Competitor("TransactWriteItems", lambda: admin_api("POST", "/api/customers", create_body(email.upper())))

    reply = admin_api("POST", "/api/customers", create_body(email))

    assert rival.won.status == 200
    assert reply.status == 409
    assert reply.error == {"status": 409, "message": "Email is already used"}
    assert_invariants()


def test_create_loses_to_an_email_change_to_the_same_address(api: Api, admin_api: Any, customer: Any) -> None:
    email = unique_email()
    rival = Competitor(
        "TransactWriteItems", lambda: admin_api("PATCH", f"/api/customers/{customer.uuid}", {"email": email})
    )

    reply = admin_api("POST", "/api/customers", create_body(email))

    assert rival.won.status == 200
    assert reply.status == 409
    assert_invariants()


def test_email_change_loses_to_a_create_with_the_same_address(api: Api, admin_api: Any, customer: Any) -> None:
    email = unique_email()
    rival = Competitor("TransactWriteItems", lambda: admin_api("POST", "/api/customers", create_body(email)))

    reply = admin_api("PATCH", f"/api/customers/{customer.uuid}", {"email": email})

    assert rival.won.status == 200
    assert reply.status == 409
    assert reply.error["message"] == "Email is already used"
    assert_invariants()


# --- update and delete ----------------------------------------------------------------------


def test_email_change_of_a_customer_deleted_meanwhile_is_a_404_and_claims_nothing(
    api: Api, admin_api: Any, customer: Any
) -> None:
    email = unique_email()
    rival = Competitor("TransactWriteItems", lambda: admin_api("DELETE", f"/api/customers/{customer.uuid}"))

    reply = admin_api("PATCH", f"/api/customers/{customer.uuid}", {"email": email})

    assert rival.won.status == 200
    assert reply.status == 404
    assert reply.error["message"] == "Invalid customer id"
    assert admin_api("POST", "/api/customers", create_body(email)).status == 200  # the address stayed free
    assert_invariants()


def test_delete_after_an_email_change_meanwhile_frees_the_new_email(api: Api, admin_api: Any, customer: Any) -> None:
    email = unique_email()
    rival = Competitor(
        "TransactWriteItems", lambda: admin_api("PATCH", f"/api/customers/{customer.uuid}", {"email": email})
    )

    reply = admin_api("DELETE", f"/api/customers/{customer.uuid}")

    assert rival.won.status == 200
    assert reply.status == 200
    assert reply.data["email"] == email  # what was deleted is what was stored at the end
    assert admin_api("POST", "/api/customers", create_body(email)).status == 200
    assert_invariants()


def test_two_deletes_of_one_customer_let_exactly_one_win(api: Api, admin_api: Any, customer: Any) -> None:
    rival = Competitor("TransactWriteItems", lambda: admin_api("DELETE", f"/api/customers/{customer.uuid}"))

    reply = admin_api("DELETE", f"/api/customers/{customer.uuid}")

    assert rival.won.status == 200
    assert reply.status == 404
    assert_invariants()


def test_two_updates_of_one_customer_both_apply(api: Api, admin_api: Any, customer: Any) -> None:
    rival = Competitor(
        "UpdateItem", lambda: admin_api("PATCH", f"/api/customers/{customer.uuid}", {"full_name": "Ann"})
    )

    reply = admin_api("PATCH", f"/api/customers/{customer.uuid}", {"status": 0})

    assert rival.won.status == 200
    assert reply.status == 200
    assert (reply.data["full_name"], reply.data["status"]) == ("Ann", 0)  # each sets its own field only
    assert_invariants()


def test_a_rename_between_an_email_changes_read_and_write_is_kept(api: Api, admin_api: Any, customer: Any) -> None:
    email = unique_email()
    rival = Competitor(
        "TransactWriteItems", lambda: admin_api("PATCH", f"/api/customers/{customer.uuid}", {"full_name": "Ann"})
    )

    reply = admin_api("PATCH", f"/api/customers/{customer.uuid}", {"email": email})

    assert rival.won.status == 200
    assert reply.status == 200
    assert (reply.data["full_name"], reply.data["email"]) == ("Ann", email)  # read again, not overwritten
    assert admin_api("GET", f"/api/customers/{customer.uuid}").data["full_name"] == "Ann"
    assert_invariants()


def test_an_email_change_before_a_rename_is_kept(api: Api, admin_api: Any, customer: Any) -> None:
    email = unique_email()
    rival = Competitor("UpdateItem", lambda: admin_api("PATCH", f"/api/customers/{customer.uuid}", {"email": email}))

    reply = admin_api("PATCH", f"/api/customers/{customer.uuid}", {"full_name": "Ann"})

    assert rival.won.status == 200
    assert reply.status == 200
    assert (reply.data["full_name"], reply.data["email"]) == ("Ann", email)
    assert_invariants()


def test_a_rename_racing_a_delete_is_a_404_and_leaves_nothing(api: Api, admin_api: Any, customer: Any) -> None:
    rival = Competitor("UpdateItem", lambda: admin_api("DELETE", f"/api/customers/{customer.uuid}"))

    reply = admin_api("PATCH", f"/api/customers/{customer.uuid}", {"full_name": "Ann", "status": 0})

    assert rival.won.status == 200
    assert reply.status == 404
    assert reply.error["message"] == "Invalid customer id"
    assert admin_api("GET", f"/api/customers/{customer.uuid}").status == 404  # not brought back
    assert admin_api("POST", "/api/customers", create_body(customer.email)).status == 200  # its email free
    assert_invariants()  # no claim, book or session of it left


def test_a_delete_after_a_rename_meanwhile_deletes_the_renamed_customer(
    api: Api, admin_api: Any, customer: Any
) -> None:
    rival = Competitor(
        "TransactWriteItems", lambda: admin_api("PATCH", f"/api/customers/{customer.uuid}", {"full_name": "Ann"})
    )

    reply = admin_api("DELETE", f"/api/customers/{customer.uuid}")

    assert rival.won.status == 200
    assert reply.status == 200
    assert reply.data["full_name"] == "Ann"  # the delete read again after losing to the rename
    assert admin_api("GET", f"/api/customers/{customer.uuid}").status == 404
    assert_invariants()


def test_an_own_rename_after_a_logout_everywhere_meanwhile_is_refused(api: Api, customer: Any) -> None:
    session = log_in(api, customer).data
    rival = Competitor(
        "UpdateItem", lambda: api.delete(f"/api/customers/sessions/{customer.uuid}", token=session["token"])
    )

    reply = api.patch("/api/customers/me", {"full_name": "Too Late"}, token=session["token"])

    assert rival.won.status == 200
    assert reply.status == 401
    assert reply.error["message"] == "Invalid token"
    assert_invariants()


# --- logins against password change, disable and delete ------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"password": "another-secret"}, {"status": 0}],
    ids=["password change", "disable"],
)
def test_login_racing_a_change_that_ends_sessions_leaves_no_live_session(
    api: Api, admin_api: Any, customer: Any, change: dict[str, Any]
) -> None:
    rival = Competitor("TransactWriteItems", lambda: admin_api("PATCH", f"/api/customers/{customer.uuid}", change))

    reply = log_in(api, customer)

    assert rival.won.status == 200
    assert reply.status == 400
    assert reply.error["message"] == "Invalid email or password"
    assert_invariants()


@pytest.mark.parametrize(
    ("change", "its_write"),
    [({"password": "another-secret"}, "PutItem"), ({"status": 0}, "UpdateItem")],
    ids=["password change", "disable"],
)
def test_login_just_before_a_change_that_ends_sessions_gets_a_token_that_dies(
    api: Api, admin_api: Any, customer: Any, change: dict[str, Any], its_write: str
) -> None:
    rival = Competitor(its_write, lambda: log_in(api, customer))

    reply = admin_api("PATCH", f"/api/customers/{customer.uuid}", change)

    assert reply.status == 200
    assert rival.won.status == 200
    assert not token_is_live(api, rival.won.data["token"])
    assert_invariants()


def test_login_racing_a_delete_is_refused(api: Api, admin_api: Any, customer: Any) -> None:
    rival = Competitor("TransactWriteItems", lambda: admin_api("DELETE", f"/api/customers/{customer.uuid}"))

    reply = log_in(api, customer)

    assert rival.won.status == 200
    assert reply.status == 400
    assert_invariants()


def test_login_just_before_a_delete_gets_a_token_that_dies_with_the_customer(
    api: Api, admin_api: Any, customer: Any
) -> None:
    rival = Competitor("TransactWriteItems", lambda: log_in(api, customer))

    reply = admin_api("DELETE", f"/api/customers/{customer.uuid}")

    assert reply.status == 200
    assert rival.won.status == 200
    assert not token_is_live(api, rival.won.data["token"])
    assert_invariants()  # the session item was swept too


# --- logout ---------------------------------------------------------------------------------


def test_two_logouts_of_one_session_let_exactly_one_win(api: Api, admin_token: str, customer: Any) -> None:
    session = log_in(api, customer).data
    path = f"/api/customers/sessions/{session['sid']}"
    rival = Competitor("TransactWriteItems", lambda: api.delete(path, token=session["token"]))

    reply = api.delete(path, token=session["token"])

    assert rival.won.status == 200
    assert reply.status == 404
    assert not token_is_live(api, session["token"])
    assert_invariants()


def test_logout_everywhere_racing_a_login_ends_the_new_session_too(api: Api, customer: Any) -> None:
    session = log_in(api, customer).data
    rival = Competitor("TransactWriteItems", lambda: log_in(api, customer))

    reply = api.delete(f"/api/customers/sessions/{customer.uuid}", token=session["token"])

    assert reply.status == 200
    assert rival.won.status == 200
    assert not token_is_live(api, rival.won.data["token"])
    assert_invariants()


# --- the customer's own address book ----------------------------------------------------------


def test_an_own_address_change_that_loses_the_book_to_an_admin_reads_it_again(
    api: Api, admin_api: Any, customer: Any
) -> None:
    """The own routes start from the book their authentication read: a change made meanwhile
    makes the write's condition fail, and the book is read again, the rival's change kept."""
    own = log_in(api, customer).data["token"]
    admins = f"/api/customers/{customer.uuid}/addresses"
    rival = Competitor("TransactWriteItems", lambda: admin_api("POST", admins, ADDRESS | {"city": "Rival"}))

    mine = api.post("/api/customers/me/addresses", ADDRESS | {"city": "Mine"}, token=own)

    assert (mine.status, rival.won.status) == (200, 200)
    book = api.get("/api/customers/me/addresses", token=own).data["items"]
    assert sorted(address["city"] for address in book) == ["Mine", "Rival"]
    assert [address["city"] for address in book if address["is_default"]] == ["Rival"]  # the first one
    assert_invariants()
