"""`python -m customer_api.edge.admin_cli create`: the way admin users come to exist."""

from __future__ import annotations

from typing import Any

from customer_api.edge.admin_cli import main
from tests.support import Api


def test_create_makes_an_admin_who_can_get_tokens(api: Api, capsys: Any) -> None:
    code = main(["create", "--email", "Boss@Shop.example.com", "--password", "boss-pass-1", "--name", "Boss"])
    assert code == 0
    assert "created" in capsys.readouterr().out
    reply = api.post("/api/user/tokens", {"email": "boss@shop.example.com", "password": "boss-pass-1"})
    assert reply.status == 200


def test_create_refuses_an_existing_admin(api: Api, capsys: Any) -> None:
    args = ["create", "--email", "boss@shop.example.com", "--password", "boss-pass-1", "--name", "Boss"]
    main(args)
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err


def test_create_validates_like_a_customer(api: Api, capsys: Any) -> None:
    code = main(["create", "--email", "boss@shop.example.com", "--password", "123", "--name", "Boss"])
    assert code == 2
    assert "Password must be at least 6 characters" in capsys.readouterr().err
