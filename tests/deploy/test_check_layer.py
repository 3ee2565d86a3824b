"""The arm64 check of a built layer tells arm64 binaries from others by their ELF header."""

from __future__ import annotations

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
