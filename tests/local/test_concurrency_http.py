"""Real races over HTTP: many requests at once against the local server (threads, with moto
running as its own server, or DynamoDB Local), then the storage invariants. Exactly one winner each time; the
losers get the contract's 4xx, never a 500."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
import requests
from moto.dynamodb.responses import DynamoHandler

from customer_api.core.settings import settings
from local import server
from tests.support import BACKENDS, DYNAMODB_LOCAL, java_missing, unique_email
from tests.support.addresses import ADDRESS
from tests.support.invariants import assert_invariants, read_tables

ADMIN = ("admin@shop.example.com", "admin-password-1")


class Client:
    def __init__(self, url: str) -> None:
        self.url = url
        reply = self.call("POST", "/api/user/tokens", {"email": ADMIN[0], "password": ADMIN[1]})
        self.admin_token = reply[1]["data"]["accessToken"]

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.request(method, self.url + path, json=body, headers=headers, timeout=60)
        return response.status_code, response.json()

    def admin(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        return self.call(method, path, body, self.admin_token)

    def new_customer(self, email: str | None = None) -> dict[str, Any]:
        body = {"email": email or unique_email(), "password": "secret-123", "full_name": "Jane Doe"}
        status, reply = self.admin("POST", "/api/customers", body)
        assert status == 200, reply
        return {**reply["data"], "password": body["password"]}


@pytest.fixture(scope="module")
def serialized_moto() -> Iterator[None]:
    """moto answers a cancelled transaction by restoring whole tables from a copy taken before
    it, erasing what other threads wrote meanwhile. DynamoDB runs each call atomically: so does
    moto here, one call at a time, while the service's requests still interleave between calls."""
    lock = threading.Lock()
    original = DynamoHandler.call_action

    def one_at_a_time(self: DynamoHandler) -> Any:
        with lock:
            return original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DynamoHandler, "call_action", one_at_a_time)
        yield


@pytest.fixture(scope="module", params=BACKENDS)
def client(request: pytest.FixtureRequest, serialized_moto: None) -> Iterator[Client]:
    """The server on moto, and on DynamoDB Local (its own, in memory), which serves the
    requests concurrently: no lock anywhere between the service and the engine."""
    if request.param == DYNAMODB_LOCAL and java_missing():
        pytest.skip(f"DynamoDB Local tier skipped: {java_missing()}")
    # Races, not events: without the outbox polling beside them.
    with server.start(seed_admin=ADMIN, backend_kind=request.param, publish_events=False) as running:
        assert ("DynamoDB Local" in running.backend) == (request.param == DYNAMODB_LOCAL), running.backend
        yield Client(running.url)


@pytest.fixture
def tables_hold(client: Client) -> Iterator[None]:
    yield
    # The server's environment names its DynamoDB (AWS_ENDPOINT_URL_DYNAMODB wins when set).
    assert_invariants(read_tables(boto3.client("dynamodb")))


def all_at_once(calls: list[Callable[[], tuple[int, dict[str, Any]]]]) -> list[tuple[int, dict[str, Any]]]:
    """Run every call in its own thread, released together."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def statuses(replies: list[tuple[int, dict[str, Any]]]) -> Counter[int]:
    return Counter(status for status, _ in replies)


def test_32_creates_with_one_email_in_any_letter_case_let_exactly_one_win(client: Client, tables_hold: None) -> None:
    email = unique_email()
    variants = [email.upper() if n % 3 == 0 else email.capitalize() if n % 3 == 1 else email for n in range(32)]
    body = {"password": "secret-123", "full_name": "Jane Doe"}

    replies = all_at_once([lambda e=e: client.admin("POST", "/api/customers", {**body, "email": e}) for e in variants])

    assert statuses(replies) == {200: 1, 409: 31}
    assert all(reply["error"]["message"] == "Email is already used" for status, reply in replies if status == 409)


def test_8_customers_changing_to_one_email_let_exactly_one_win(client: Client, tables_hold: None) -> None:
    customers = [client.new_customer() for _ in range(8)]
    email = unique_email()

    replies = all_at_once(
        [lambda c=c: client.admin("PATCH", f"/api/customers/{c['uuid']}", {"email": email}) for c in customers]
    )

    assert statuses(replies) == {200: 1, 409: 7}


def test_parallel_logins_of_one_customer_up_to_the_limit_all_succeed(client: Client, tables_hold: None) -> None:
    """Each login takes one of the email's password checks before it checks (so that a flood
    cannot check more than the limit): as many logins at once as the limit all get in."""
    customer = client.new_customer()
    credentials = {"email": customer["email"], "password": customer["password"]}
    limit = settings().login_max_failures

    replies = all_at_once([lambda: client.call("POST", "/api/customers/sessions", credentials)] * limit)

    assert statuses(replies) == {200: limit}
    assert len({reply["data"]["sid"] for _, reply in replies}) == limit


@pytest.mark.parametrize(
    ("path", "account"),
    [("/api/customers/sessions", "customer"), ("/api/user/tokens", "admin"), ("/api/user/sessions", "admin")],
)
def test_32_logins_at_once_check_at_most_the_allowed_number_of_passwords(
    client: Client, tables_hold: None, path: str, account: str
) -> None:
    """32 wrong passwords at once (an attacker's guesses): at most `LOGIN_MAX_FAILURES` of them
    are checked (each check answers 400); every other request is a 429 that checked nothing."""
    if account == "customer":
        email = client.new_customer()["email"]
    else:
        email = unique_email("admin")
        server.seed(email, "admin-password-2")
    guess = {"email": email, "password": "wrong-password"}

    replies = all_at_once([lambda: client.call("POST", path, guess)] * 32)

    assert 0 < statuses(replies)[400] <= settings().login_max_failures
    assert statuses(replies)[429] == 32 - statuses(replies)[400]
    assert all(reply["error"]["status"] == status for status, reply in replies)


def test_parallel_logouts_of_one_session_let_exactly_one_win(client: Client, tables_hold: None) -> None:
    customer = client.new_customer()
    status, login = client.call(
        "POST", "/api/customers/sessions", {"email": customer["email"], "password": customer["password"]}
    )
    assert status == 200
    path, token = f"/api/customers/sessions/{login['data']['sid']}", login["data"]["token"]

    replies = all_at_once([lambda: client.call("DELETE", path, token=token)] * 8)

    counted = statuses(replies)
    assert counted[200] == 1
    assert counted[200] + counted[404] + counted[401] == 8


def test_logins_racing_a_password_change_leave_no_live_session(client: Client, tables_hold: None) -> None:
    customer = client.new_customer()
    credentials = {"email": customer["email"], "password": customer["password"]}
    change = [lambda: client.admin("PATCH", f"/api/customers/{customer['uuid']}", {"password": "another-secret"})]

    logins = [lambda: client.call("POST", "/api/customers/sessions", credentials)] * settings().login_max_failures
    replies = all_at_once(change + logins)

    assert replies[0][0] == 200
    assert set(statuses(replies[1:])) <= {200, 400}
    for status, reply in replies[1:]:
        if status == 200:  # logged in before the change: its token must be dead now
            dead = client.call(
                "DELETE", f"/api/customers/sessions/{reply['data']['sid']}", token=reply["data"]["token"]
            )
            assert dead[0] == 401


def test_8_addresses_made_the_default_at_once_leave_exactly_one_default(client: Client, tables_hold: None) -> None:
    customer = client.new_customer()
    base = f"/api/customers/{customer['uuid']}/addresses"
    made = [client.admin("POST", base, ADDRESS)[1]["data"]["uuid"] for _ in range(8)]

    replies = all_at_once([lambda a=a: client.admin("PATCH", f"{base}/{a}", {"is_default": True}) for a in made])

    # Each change is applied whole, one after another (a writer that keeps losing the race to
    # the book gets a 503 after WRITE_ATTEMPTS, and changed nothing).
    assert set(statuses(replies)) <= {200, 503}
    _, listed = client.admin("GET", base)
    defaults = [item["uuid"] for item in listed["data"]["items"] if item["is_default"]]
    assert len(defaults) == 1
    assert defaults[0] in {made[n] for n, (status, _) in enumerate(replies) if status == 200}
    assert len(listed["data"]["items"]) == 8


def test_the_21st_address_is_refused_when_4_are_added_at_once_to_17(client: Client, tables_hold: None) -> None:
    customer = client.new_customer()
    base = f"/api/customers/{customer['uuid']}/addresses"
    for _ in range(17):
        client.admin("POST", base, ADDRESS)

    replies = all_at_once([lambda: client.admin("POST", base, ADDRESS)] * 4)

    assert statuses(replies) == {200: 3, 400: 1}
    _, listed = client.admin("GET", base)
    assert len(listed["data"]["items"]) == 20


def test_a_customer_adding_4_own_addresses_at_once_to_17_gets_3_and_one_refusal(
    client: Client, tables_hold: None
) -> None:
    """Each request starts from the book its authentication read; those that lose the race to
    the book read it again, so that every add is applied whole, one after the other."""
    customer = client.new_customer()
    credentials = {"email": customer["email"], "password": customer["password"]}
    token = client.call("POST", "/api/customers/sessions", credentials)[1]["data"]["token"]
    base = "/api/customers/me/addresses"
    for _ in range(17):
        client.call("POST", base, ADDRESS, token)

    replies = all_at_once([lambda: client.call("POST", base, ADDRESS, token)] * 4)

    assert statuses(replies) == {200: 3, 400: 1}
    _, listed = client.call("GET", base, token=token)
    assert len(listed["data"]["items"]) == 20
    assert sum(item["is_default"] for item in listed["data"]["items"]) == 1


def test_a_group_deleted_while_customers_join_it_leaves_nobody_in_a_missing_group(
    client: Client, tables_hold: None
) -> None:
    _, group = client.admin("POST", "/api/customer-groups", {"group_name": "Racing"})
    group_id = group["data"]["group_id"]
    customers = [client.new_customer() for _ in range(6)]
    joins = [
        lambda c=c: client.admin("PATCH", f"/api/customers/{c['uuid']}", {"group_id": group_id}) for c in customers
    ]

    replies = all_at_once([*joins, lambda: client.admin("DELETE", f"/api/customer-groups/{group_id}")])

    deleted = replies[-1][0] == 200
    joined = [status for status, _ in replies[:-1]]
    # Either the delete came first (every join then finds no group: 400) or a join did (409).
    assert (deleted and set(joined) == {400}) or (replies[-1][0] == 409 and 200 in joined)
    _, in_group = client.admin("GET", f"/api/customers?group_id={group_id}&limit=100")
    joined_customers = {customers[n]["uuid"] for n, status in enumerate(joined) if status == 200}
    assert {item["uuid"] for item in in_group["data"]["items"]} == joined_customers


# Last, and on DynamoDB Local only: moto copies every table for each transaction it runs, so 270
# creates on moto cost minutes and slow every later test of the module. The listing's logic is
# the same on both; the store's contract tests page on moto.
@pytest.mark.parametrize("client", [DYNAMODB_LOCAL], indirect=True)
def test_paging_250_customers_while_20_more_are_created_serves_each_exactly_once(
    client: Client, tables_hold: None
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        earlier = {customer["uuid"] for customer in pool.map(lambda _: client.new_customer(), range(250))}
        creating = [pool.submit(client.new_customer) for _ in range(20)]
        listed: list[str] = []
        cursor = ""
        for _ in range(1000):
            status, reply = client.admin("GET", f"/api/customers?limit=7{cursor}")
            assert status == 200, reply
            assert len(reply["data"]["items"]) <= 7
            listed += [item["uuid"] for item in reply["data"]["items"]]
            if reply["data"]["next_cursor"] is None:
                break
            cursor = f"&cursor={reply['data']['next_cursor']}"
        later = {future.result()["uuid"] for future in creating}
    assert len(listed) == len(set(listed))  # nothing served twice
    assert earlier <= set(listed)  # every earlier customer served
    assert len(later) == 20
