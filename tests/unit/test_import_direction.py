"""The layer's rooms import one way: edge -> domain -> store -> core. Only the store imports boto3
or botocore, and handlers never reach past the domain into the store."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "shared" / "customer_api"
RANK = {"core": 0, "store": 1, "domain": 2, "edge": 3}
HANDLER_RANK = 4  # functions/*/app.py sit above the edge
AWS_SDK = ("boto3", "botocore")


def imported_modules(source: str, package: str) -> Iterator[str]:
    """Every module a source file imports, absolute, as dotted names."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            # `from customer_api import store` imports the sub-package itself.
            yield from (f"{base}.{alias.name}" for alias in node.names if base == "customer_api")


def room_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "customer_api" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in RANK else None


def violations(source: str, package: str, rank: int, may_use_aws_sdk: bool) -> list[str]:
    found = []
    for module in imported_modules(source, package):
        room = room_of(module)
        if room is not None and RANK[room] > rank:
            found.append(f"imports {module}, a room above its own")
        if module.split(".")[0] in AWS_SDK and not may_use_aws_sdk:
            found.append(f"imports {module}: only the store talks to AWS")
    return found


def layer_modules() -> list[Path]:
    return sorted(LAYER.rglob("*.py"))


@pytest.mark.parametrize("path", layer_modules(), ids=lambda path: str(path.relative_to(LAYER)))
def test_every_layer_module_imports_only_its_own_room_or_rooms_below(path: Path) -> None:
    relative = path.relative_to(LAYER)
    room = relative.parts[0] if len(relative.parts) > 1 else None
    rank = RANK[room] if room else -1  # the package's own __init__ imports nothing of ours
    package = ".".join(("customer_api", *relative.parts[:-1]))
    assert violations(path.read_text(), package, rank, may_use_aws_sdk=room == "store") == []


@pytest.mark.parametrize("path", sorted(ROOT.glob("functions/*/app.py")), ids=lambda path: path.parent.name)
def test_handlers_use_the_edge_and_the_domain_but_never_the_store(path: Path) -> None:
    imports = set(imported_modules(path.read_text(), "app"))
    assert violations(path.read_text(), "app", HANDLER_RANK, may_use_aws_sdk=False) == []
    assert not {module for module in imports if room_of(module) == "store"}


def test_every_room_is_a_package_of_the_layer() -> None:
    assert {path.name for path in LAYER.iterdir() if (path / "__init__.py").exists()} == set(RANK)


@pytest.mark.parametrize(
    ("source", "package", "rank"),
    [
        ("from customer_api.edge import resolver", "customer_api.domain", RANK["domain"]),
        ("from customer_api import domain", "customer_api.store", RANK["store"]),
        ("import customer_api.store.client", "customer_api.core", RANK["core"]),
        ("from ..edge.replies import ErrorReply", "customer_api.domain", RANK["domain"]),
        ("import boto3", "customer_api.domain", RANK["domain"]),
        ("from botocore.config import Config", "customer_api.edge", RANK["edge"]),
    ],
)
def test_the_check_catches_an_import_that_points_up_or_reaches_aws(source: str, package: str, rank: int) -> None:
    assert violations(source, package, rank, may_use_aws_sdk=False)


def test_the_check_lets_an_import_that_points_down_through() -> None:
    source = "from customer_api.core.errors import EmailTaken\nfrom customer_api import store\n"
    assert violations(source, "customer_api.domain", RANK["domain"], may_use_aws_sdk=False) == []
