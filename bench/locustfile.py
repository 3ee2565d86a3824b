"""The clients of `make load` (bench/load.py runs locust on this file): each one is a shop's
admin with one customer of its own, who logs in, has its name changed and logs out.

The API has no read route (EverShop's Customer API has none), so the mix is writes: per
client, an admin login and a customer create at start, then customer logins (4), updates of
the customer by the admin (3), logouts of one of the customer's sessions (2) and admin logins
(1). A client keeps fewer than MAX_SESSIONS sessions, so none is ended by the cap. Every
answer but the expected one is a failure named by its status ("HTTP 503").

Environment: LOAD_ADMINS (comma-separated emails, one per client), LOAD_PASSWORD (theirs and
the customers'), LOAD_STATUSES (a file: the count of each route's statuses, written at exit).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from collections import Counter
from typing import Any

from locust import HttpUser, constant, events, task

ADMINS = os.environ.get("LOAD_ADMINS", "").split(",")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
MAX_SESSIONS_KEPT = 5  # under the service's MAX_SESSIONS (10): the cap never ends one
_next_admin = itertools.count()
_statuses: Counter[tuple[str, int]] = Counter()


@events.request.add_listener
def _count(name: str, response: Any, **_: Any) -> None:
    _statuses[(name, getattr(response, "status_code", 0) or 0)] += 1


@events.quitting.add_listener
def _write_statuses(**_: Any) -> None:
    path = os.environ.get("LOAD_STATUSES")
    if path:
        counts = [{"route": name, "status": status, "count": n} for (name, status), n in sorted(_statuses.items())]
        with open(path, "w") as out:
            json.dump(counts, out)


class ShopAdmin(HttpUser):
    # Each client sends its next request as soon as the last is answered: the load is the
    # number of clients, and throughput what the service makes of it.
    wait_time = constant(0)

    def on_start(self) -> None:
        self.admin = ADMINS[next(_next_admin) % len(ADMINS)]
        self.admin_token = self._admin_login()
        self.customer = {"email": f"load-{uuid.uuid4().hex}@shop.example.com", "password": PASSWORD}
        body = {**self.customer, "full_name": "Load Test"}
        reply = self._call("POST", "/api/customers", "/api/customers", body, self.admin_token)
        self.customer_uuid = reply["uuid"] if reply else None
        self.sessions: list[dict[str, str]] = []

    def _call(
        self, method: str, path: str, name: str, body: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any] | None:
        """The reply's data on a 200; anything else is a failure named by its status."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with self.client.request(method, path, json=body, headers=headers, name=name, catch_response=True) as reply:
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}: {reply.text[:200]} {body}")
                return None
            reply.success()
            data: dict[str, Any] = reply.json()["data"]
            return data

    def _admin_login(self) -> str:
        reply = self._call("POST", "/api/user/tokens", "/api/user/tokens", {"email": self.admin, "password": PASSWORD})
        return str(reply["accessToken"]) if reply else ""

    @task(4)
    def customer_logs_in(self) -> None:
        if len(self.sessions) >= MAX_SESSIONS_KEPT:
            self.customer_logs_out()
            return
        reply = self._call("POST", "/api/customers/sessions", "/api/customers/sessions", self.customer)
        if reply:
            self.sessions.append(reply)

    @task(3)
    def admin_renames_the_customer(self) -> None:
        if self.customer_uuid:
            body = {"full_name": f"Load Test {random.randint(1, 10**6)}"}
            self._call("PATCH", f"/api/customers/{self.customer_uuid}", "/api/customers/{id}", body, self.admin_token)

    @task(2)
    def customer_logs_out(self) -> None:
        if self.sessions:
            session = self.sessions.pop(0)
            path = f"/api/customers/sessions/{session['sid']}"
            self._call("DELETE", path, "/api/customers/sessions/{ids}", token=session["token"])

    @task(1)
    def admin_logs_in_again(self) -> None:
        self.admin_token = self._admin_login() or self.admin_token
