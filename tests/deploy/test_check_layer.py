"""The check of a built layer: arm64 binaries told from others by their ELF header, and every
module's bytecode there, of this Python, never checked against its source."""

from __future__ import annotations

import py_compile
from pathlib import Path

from tools.check_layer import NATIVE_PACKAGES, problems

AARCH64, X86_64 = 183, 62


def elf(path: Path, machine: int) -> None:
    """A file with just the ELF header fields the check reads (magic, e_machine)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x7fELF" + bytes(14) + machine.to_bytes(2, "little"))


def test_a_layer_with_arm64_binaries_passes(tmp_path: Path) -> None:
    for package in NATIVE_PACKAGES:
        elf(tmp_path / package / "_native.so", AARCH64)
    assert problems(tmp_path) == []


def test_an_x86_64_binary_is_reported(tmp_path: Path) -> None:
    for package in NATIVE_PACKAGES:
        elf(tmp_path / package / "_native.so", AARCH64)
    elf(tmp_path / "bcrypt" / "_bcrypt.abi3.so", X86_64)
    assert problems(tmp_path) == ["bcrypt: _bcrypt.abi3.so is not arm64"]


def test_a_package_without_its_binary_is_reported(tmp_path: Path) -> None:
    for package in NATIVE_PACKAGES[1:]:
        elf(tmp_path / package / "_native.so", AARCH64)
    assert problems(tmp_path) == [f"{NATIVE_PACKAGES[0]}: no compiled extension in the layer"]


def arm64_layer(path: Path) -> Path:
    for package in NATIVE_PACKAGES:
        elf(path / package / "_native.so", AARCH64)
    return path


def module(path: Path, mode: py_compile.PycInvalidationMode | None) -> None:
    """A module, compiled with `mode` (None: not compiled)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("ANSWER = 42\n")
    if mode is not None:
        py_compile.compile(str(path), doraise=True, invalidation_mode=mode)


def test_modules_compiled_unchecked_pass(tmp_path: Path) -> None:
    layer = arm64_layer(tmp_path)
    module(layer / "customer_api" / "core" / "clock.py", py_compile.PycInvalidationMode.UNCHECKED_HASH)
    module(layer / "six.py", py_compile.PycInvalidationMode.UNCHECKED_HASH)
    assert problems(layer) == []


def test_a_module_without_bytecode_is_reported(tmp_path: Path) -> None:
    layer = arm64_layer(tmp_path)
    module(layer / "customer_api" / "core" / "clock.py", py_compile.PycInvalidationMode.UNCHECKED_HASH)
    module(layer / "customer_api" / "core" / "errors.py", None)
    assert problems(layer) == ["customer_api/core/errors.py: no bytecode"]


def test_bytecode_checked_against_its_source_is_reported(tmp_path: Path) -> None:
    # What pip leaves: the zip SAM uploads dates the source 1980, so Python would compile it again.
    layer = arm64_layer(tmp_path)
    module(layer / "jwt" / "api_jwt.py", py_compile.PycInvalidationMode.TIMESTAMP)
    module(layer / "six.py", py_compile.PycInvalidationMode.CHECKED_HASH)
    assert problems(layer) == [
        "jwt/api_jwt.py: bytecode checked against its source",
        "six.py: bytecode checked against its source",
    ]


def test_bytecode_of_another_python_is_reported(tmp_path: Path) -> None:
    layer = arm64_layer(tmp_path)
    module(layer / "six.py", py_compile.PycInvalidationMode.UNCHECKED_HASH)
    compiled = next((layer / "__pycache__").iterdir())
    compiled.write_bytes(b"\x00\x00\r\n" + compiled.read_bytes()[4:])
    assert problems(layer) == ["six.py: bytecode of another Python"]
