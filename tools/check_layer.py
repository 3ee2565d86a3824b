"""Checks a built layer (`sam build`): that it carries arm64 binaries (pip installs x86_64 wheels
without a word when the build architecture is missing, and they fail only at the first cold
start), and that it carries the bytecode of every module, compiled by this Python and never
checked against the source (shared/Makefile: Lambda's /opt is read-only, and the zip SAM uploads
dates every file 1980, so a missing or timestamp-checked .pyc means a compile at every cold
start). `python -m tools.check_layer <build dir>/SharedLayer/python`"""

from __future__ import annotations

import sys
from importlib.util import MAGIC_NUMBER, cache_from_source
from pathlib import Path

# Packages with compiled extensions the functions import.
NATIVE_PACKAGES = ("bcrypt", "pydantic_core", "wrapt")
_ELF_MAGIC = b"\x7fELF"
_AARCH64 = 183  # e_machine of ARM 64-bit in the ELF header
# The flags word of a .pyc (PEP 552): bit 0 hash-based, bit 1 check the source.
_UNCHECKED_HASH = 0b01


def machine(shared_object: Path) -> int:
    """The ELF e_machine of a little-endian shared object (bytes 18-19 of the header)."""
    header = shared_object.read_bytes()[:20]
    if header[:4] != _ELF_MAGIC:
        raise ValueError(f"{shared_object.name} is not an ELF file")
    return int.from_bytes(header[18:20], "little")


def binary_problems(site_packages: Path) -> list[str]:
    found = []
    for package in NATIVE_PACKAGES:
        binaries = sorted((site_packages / package).rglob("*.so"))
        if not binaries:
            found.append(f"{package}: no compiled extension in the layer")
        found.extend(f"{package}: {so.name} is not arm64" for so in binaries if machine(so) != _AARCH64)
    return found


def bytecode_problem(source: Path) -> str | None:
    """What is wrong with the .pyc Python would load for `source`, if anything."""
    compiled = Path(cache_from_source(str(source)))
    if not compiled.exists():
        return "no bytecode"
    header = compiled.read_bytes()[:8]
    if header[:4] != MAGIC_NUMBER:
        return "bytecode of another Python"
    if int.from_bytes(header[4:8], "little") != _UNCHECKED_HASH:
        return "bytecode checked against its source"
    return None


def bytecode_problems(site_packages: Path) -> list[str]:
    found = []
    for source in sorted(site_packages.rglob("*.py")):
        problem = bytecode_problem(source)
        if problem:
            found.append(f"{source.relative_to(site_packages)}: {problem}")
    return found


def problems(site_packages: Path) -> list[str]:
    return binary_problems(site_packages) + bytecode_problems(site_packages)


def main() -> int:
    site_packages = Path(sys.argv[1])
    found = problems(site_packages)
    for problem in found[:20]:
        print(problem, file=sys.stderr)
    if len(found) > 20:
        print(f"... and {len(found) - 20} more", file=sys.stderr)
    if not found:
        modules = sum(1 for _ in site_packages.rglob("*.py"))
        print(f"arm64 binaries for {', '.join(NATIVE_PACKAGES)}; bytecode for all {modules} modules")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
