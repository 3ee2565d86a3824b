"""Address books on the in-memory store: the default and the cap under parallel changes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from customer_api.core.errors import InvalidInput, StoreBusy
from customer_api.domain import addresses
from customer_api.domain.address_inputs import AddressCreate, AddressUpdate
from customer_api.store.memory import MemoryStore
from tests.support.addresses import ADDRESS as CLIENTS_ADDRESS
from tests.unit.test_customers import create

ADDRESS = AddressCreate.model_validate(CLIENTS_ADDRESS)


def all_at_once(count: int, action: Any) -> list[str]:
    start = threading.Barrier(count)

    def run(number: int) -> str:
        start.wait()
        try:
            action(number)
        except InvalidInput:
            return "refused"
        except StoreBusy:
            return "busy"
        return "done"

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_of_8_addresses_made_the_default_at_once_exactly_one_is(memory: MemoryStore) -> None:
    customer = create()
    made = [addresses.add_address(customer.uuid, ADDRESS) for _ in range(8)]
    outcomes = all_at_once(
        8, lambda n: addresses.update_address(customer.uuid, made[n].uuid, AddressUpdate(is_default=True))
    )
    assert set(outcomes) <= {"done", "busy"}
    listed = addresses.list_addresses(customer.uuid)
    assert sum(address.is_default for address in listed) == 1
    assert len(listed) == 8


def test_the_21st_address_is_refused_when_4_are_added_at_once_to_17(memory: MemoryStore) -> None:
    customer = create()
    for _ in range(17):
        addresses.add_address(customer.uuid, ADDRESS)
    outcomes = all_at_once(4, lambda _: addresses.add_address(customer.uuid, ADDRESS))
    assert sorted(outcomes) == ["done"] * 3 + ["refused"]
    assert len(addresses.list_addresses(customer.uuid)) == 20


@pytest.mark.parametrize("count", [1, 3])
def test_a_book_with_addresses_always_has_one_default(memory: MemoryStore, count: int) -> None:
    customer = create()
    made = [addresses.add_address(customer.uuid, ADDRESS) for _ in range(count)]
    for address in made:
        addresses.delete_address(customer.uuid, address.uuid)
        left = addresses.list_addresses(customer.uuid)
        assert sum(a.is_default for a in left) == (1 if left else 0)
