"""Customer use cases on the in-memory store."""

from __future__ import annotations

import pytest

from customer_api.core.errors import ConcurrentChange, CustomerNotFound, EmailTaken, StoreBusy
from customer_api.core.records import Customer, PrincipalKind, Session
from customer_api.domain import customers
from customer_api.domain.inputs import CustomerCreate, CustomerUpdate
from customer_api.domain.passwords import password_matches
from customer_api.store.memory import MemoryStore


def create(email: str = "jane@shop.example.com", **fields: object) -> Customer:
    body = {"email": email, "password": "secret-123", "full_name": "Jane Doe", **fields}
    return customers.create_customer(CustomerCreate.model_validate(body))


def log_in_session(memory: MemoryStore, customer: Customer) -> Session:
    session = Session("7b0c3a52-9d7e-4a52-8a51-2f0d6c1e9b10", PrincipalKind.CUSTOMER, customer.uuid, 0, 2**40)
    memory.open_session(session, clear_failures_of=None)
    return session


def test_a_created_customer_gets_the_next_id_a_hashed_password_and_defaults(memory: MemoryStore) -> None:
    first, second = create(), create("john@shop.example.com", status="0")
    assert (first.customer_id, second.customer_id) == (1, 2)
    assert (first.status, second.status, first.group_id) == (1, 0, 1)
    assert len(first.uuid) == 32
    assert first.password_hash != "secret-123"
    assert password_matches("secret-123", first.password_hash)
    assert customers.get_customer(first.uuid) == first


def test_an_email_in_use_in_any_letter_case_is_taken(memory: MemoryStore) -> None:
    create("Jane@Shop.example.com")
    with pytest.raises(EmailTaken):
        create("jane@SHOP.example.com")
    assert len(memory.customers) == 1


def test_an_unknown_customer_is_not_found(memory: MemoryStore) -> None:
    with pytest.raises(CustomerNotFound):
        customers.get_customer("0" * 32)
    with pytest.raises(CustomerNotFound):
        customers.update_customer("0" * 32, CustomerUpdate(full_name="X"))
    with pytest.raises(CustomerNotFound):
        customers.delete_customer("0" * 32)


def test_an_empty_update_changes_nothing(memory: MemoryStore) -> None:
    customer = create()
    assert customers.update_customer(customer.uuid, CustomerUpdate()) == customer


def test_a_name_change_keeps_the_sessions(memory: MemoryStore) -> None:
    customer = create()
    session = log_in_session(memory, customer)
    updated = customers.update_customer(customer.uuid, CustomerUpdate(full_name="  Jane Roe "))
    assert updated.full_name == "Jane Roe"
    assert updated.session_epoch == customer.session_epoch
    assert memory.get_sessions([session.sid]) == {session.sid: session}


@pytest.mark.parametrize("update", [{"password": "new-secret-1"}, {"status": 0}])
def test_a_new_password_or_disabling_ends_every_session(memory: MemoryStore, update: dict[str, object]) -> None:
    customer = create()
    session = log_in_session(memory, customer)
    updated = customers.update_customer(customer.uuid, CustomerUpdate.model_validate(update))
    assert updated.session_epoch == customer.session_epoch + 1
    assert memory.get_sessions([session.sid]) == {}


def test_deleting_frees_the_email_and_ends_the_sessions(memory: MemoryStore) -> None:
    customer = create()
    session = log_in_session(memory, customer)
    logged_in = memory.customers[customer.uuid]  # the login counted itself on the customer
    assert customers.delete_customer(customer.uuid) == logged_in
    assert memory.get_sessions([session.sid]) == {}
    assert create().email == customer.email


class LosingRaces(MemoryStore):
    """A store where another writer gets in first, `times` times."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.left = times

    def save_customer(self, current: Customer, changed: Customer) -> Customer:
        if self.left > 0:
            self.left -= 1
            raise ConcurrentChange()
        return super().save_customer(current, changed)


def test_an_update_that_loses_a_race_reads_again_and_succeeds() -> None:
    from customer_api import store  # noqa: PLC0415

    with store.installed(LosingRaces(times=2)):
        customer = create()
        update = CustomerUpdate(email="won@shop.example.com", full_name="Won")  # read, then saved
        assert customers.update_customer(customer.uuid, update).full_name == "Won"


def test_an_update_that_keeps_losing_is_busy() -> None:
    from customer_api import store  # noqa: PLC0415

    with store.installed(LosingRaces(times=99)) as db:
        customer = create()
        with pytest.raises(StoreBusy):
            customers.update_customer(customer.uuid, CustomerUpdate(group_id=1, full_name="Lost"))
        assert db.get_customer(customer.uuid) == customer


def test_a_change_of_name_or_status_alone_is_made_in_place_without_a_save() -> None:
    from customer_api import store  # noqa: PLC0415

    with store.installed(LosingRaces(times=99)) as db:  # a save would lose: none is made
        customer = create()
        renamed = customers.update_customer(customer.uuid, CustomerUpdate(full_name="Jo", status=1))
        assert (renamed.full_name, renamed.version, renamed.session_epoch) == ("Jo", 2, 0)
        assert db.get_customer(customer.uuid) == renamed
        assert customers.update_customer(customer.uuid, CustomerUpdate(status=0)).session_epoch == 1
        assert customers.update_customer(customer.uuid, CustomerUpdate(status=0)).session_epoch == 2
