"""Checks a built layer (`sam build`) carries arm64 binaries: pip installs x86_64 wheels without a
word when the build architecture is missing, and they fail only at the first cold start.
`python -m tools.check_layer <build dir>/SharedLayer/python`"""

from __future__ import annotations

import sys
from pathlib import Path

# Packages with compiled extensions the functions import.
NATIVE_PACKAGES = ("bcrypt", "pydantic_core", "wrapt")
_ELF_MAGIC = b"\x7fELF"
_AARCH64 = 183  # e_machine of ARM 64-bit in the ELF header


def machine(shared_object: Path) -> int:
    """The ELF e_machine of a little-endian shared object (bytes 18-19 of the header)."""
    header = shared_object.read_bytes()[:20]
    if header[:4] != _ELF_MAGIC:
        raise ValueError(f"{shared_object.name} is not an ELF file")
    return int.from_bytes(header[18:20], "little")


def problems(site_packages: Path) -> list[str]:
    found = []
    for package in NATIVE_PACKAGES:
        binaries = sorted((site_packages / package).rglob("*.so"))
        if not binaries:
            found.append(f"{package}: no compiled extension in the layer")
        found.extend(f"{package}: {so.name} is not arm64" for so in binaries if machine(so) != _AARCH64)
    return found


def main() -> int:
    site_packages = Path(sys.argv[1])
    found = problems(site_packages)
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        print(f"arm64 binaries for {', '.join(NATIVE_PACKAGES)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
